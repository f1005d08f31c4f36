"""The filters of the documents' list: by type and by freshness (client and store are the theme's autocomplete
filters over the form's own choices).

Freshness is the rules' (``documents.freshness``), not SQL's: the filter asks
``selectors.documents_needing_attention`` which of the caller's documents are expired, stale or expiring soon, in
one query however many there are, and narrows the list to those ids (or, for "valid", to the others).
"""

from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from accounts.tenancy import caller_of

from .. import selectors
from ..freshness import State

#: The query parameter of the freshness filter (the overview's counts link to the list with it).
FRESHNESS_PARAMETER = "freshness"
#: The freshness filter's value for every document that is not valid (the overview's "more" link).
NEEDING_ATTENTION = "attention"
TYPE_PARAMETER = "type"


def catalogue_of(request):
    """The agency's ``selectors.TypeCatalogue`` for this request (read once per request); ``None`` without an
    agency (the platform's view across agencies)."""
    agency = caller_of(request).agency
    if agency is None:
        return None
    found = getattr(request, "_documents_catalogue", None)
    if found is None or found.policy.agency_id != agency.pk:
        found = selectors.type_catalogue(agency=agency)
        request._documents_catalogue = found
    return found


class TypeFilter(DropdownFilter):
    title = _("type")
    parameter_name = TYPE_PARAMETER

    def lookups(self, request, model_admin):
        catalogue = catalogue_of(request)
        return catalogue.choices() if catalogue is not None else []

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(type_code=self.value())
        return queryset


class FreshnessFilter(DropdownFilter):
    title = _("freshness")
    parameter_name = FRESHNESS_PARAMETER

    def lookups(self, request, model_admin):
        return [*State.choices, (NEEDING_ATTENTION, _("Expired, stale or expiring soon"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in State.values and value != NEEDING_ATTENTION:
            return queryset
        caller = caller_of(request)
        if caller.agency is None:
            return queryset.none()
        judged = selectors.documents_needing_attention(agency=caller.agency, caller=caller,
                                                       catalogue=catalogue_of(request))
        if value == State.VALID:
            return queryset.exclude(pk__in=[item.document.pk for item in judged])
        return queryset.filter(pk__in=[item.document.pk for item in judged
                                       if value == NEEDING_ATTENTION or item.freshness.state == value])
