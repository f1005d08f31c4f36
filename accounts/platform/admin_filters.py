"""Changelist filters of the admin that choose a row of the agency, such as a store.

The theme's ``AutocompleteSelectFilter`` finds its choices by typing (``/admin/autocomplete/``, which offers only the
rows the person sees: ``accounts.platform.autocomplete``), but it names the chosen row, and filters by it, looking it
up among *all* the related model's rows of the agency: an operator who types another store's id into the address
would read that store's name in the filter. ``VisibleRowFilter`` looks the chosen row up only among the rows the
person sees in the admin (``TenantAdmin.agency_rows``: the agency's, narrowed to their stores by
``accounts.selectors.visible_rows``), so a row outside them, an id of no row, and a value that cannot be an id are all
"no such choice": the filter names nothing and the list is empty, one answer for the three, which tells nothing.
"""

from django.core.validators import EMPTY_VALUES
from unfold.contrib.filters.admin import AutocompleteSelectFilter
from unfold.contrib.filters.forms import AutocompleteDropdownForm

from .admin_site import TenantAdmin
from .ids import object_id_or_none


def visible_choices(request, field):
    """The rows the relation ``field`` may be filtered by for the person of ``request``: those they see."""
    return TenantAdmin.agency_rows(request, field.remote_field.model._default_manager.all())


class VisibleRowForm(AutocompleteDropdownForm):
    """The filter's select, naming the chosen row only if the person sees it (one query, whatever the agency's size)."""

    def __init__(self, request, name, label, choices, field, model_admin, *args, **kwargs):
        super().__init__(request, name, label, choices, field, model_admin, *args, **kwargs)
        self.fields[name].queryset = visible_choices(request, field)


class VisibleRowFilter(AutocompleteSelectFilter):
    """A list's filter by a related row of the agency (``("store", VisibleRowFilter)``), chosen by typing, that knows
    only the rows the person sees (see the module's docstring). Its parameter is the theme's (``store__id__exact``)."""

    form_class = VisibleRowForm

    def _sent(self):
        """What the address says, as the theme reads it (its first value), or ``None``."""
        return super().value()

    def value(self):
        """The chosen row's id; ``None`` when none is chosen or what was sent cannot be an id."""
        sent = self._sent()
        return None if sent in EMPTY_VALUES else object_id_or_none(sent)

    def queryset(self, request, queryset):
        if self._sent() in EMPTY_VALUES:
            return queryset
        if self.value() is None:
            return queryset.none()
        chosen = visible_choices(request, self.field).filter(pk=self.value())
        # One condition on the relation: through a many-to-many path (a document's stores), a row is kept for the
        # chosen store itself, never for another store it also serves.
        return queryset.filter(**{f"{self.field_path}__in": chosen.values("pk")})
