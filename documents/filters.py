"""Filters of the document list of the API: ``?client=&store=&type=&state=&tag=`` (``?search=`` and ``?ordering=`` are
the platform's).

Each reads strictly (``accounts.platform.api.filters``): a client or store the caller does not see, a type the agency
does not have or a state that does not exist is a 400 naming the parameter and the value, never ignored.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Store
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_rows, visible_stores
from accounts.tenancy import caller_of

from . import selectors, services, types
from .freshness import State
from .models import AppealDocument


class VisibleRowChoiceField(forms.ModelChoiceField):
    """A row among those the caller sees, by its id: another agency's, one beyond an operator, a word and an id out
    of range get the same error, naming the value."""

    def to_python(self, value):
        if value not in self.empty_values and object_id_or_none(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return super().to_python(value)


class ClientChoiceField(VisibleRowChoiceField):
    default_error_messages = {"invalid_choice": _("No client you can see has the id “%(value)s”.")}


class StoreChoiceField(VisibleRowChoiceField):
    default_error_messages = {"invalid_choice": _("No store you can see has the id “%(value)s”.")}


class ClientFilter(django_filters.ModelChoiceFilter):
    field_class = ClientChoiceField


class StoreFilter(django_filters.ModelChoiceFilter):
    field_class = StoreChoiceField


def _caller(request):
    caller = caller_of(request) if request is not None else None
    return caller if caller is not None and caller.agency is not None else None


def _clients_of_caller(request):
    caller = _caller(request)
    if caller is None:
        return Client.objects.none()
    return visible_rows(Client.objects.filter(agency=caller.agency), caller=caller)


def _stores_of_caller(request):
    caller = _caller(request)
    if caller is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


def _bare(documents):
    """``documents`` without the rows they load beside them, to read a few columns of each."""
    return documents.select_related(None).prefetch_related(None).order_by()


class DocumentFilter(django_filters.FilterSet):
    client = ClientFilter(queryset=_clients_of_caller, label=_("client"))
    store = StoreFilter(queryset=_stores_of_caller, field_name="store_links__store", label=_("store"))
    # The built-in types; the agency's own are added for each request (``__init__``).
    type = django_filters.ChoiceFilter(field_name="type_code", choices=[(kind.code, kind.label)
                                                                        for kind in types.BUILT_IN],
                                       label=_("type"))
    state = django_filters.ChoiceFilter(choices=State.choices, method="filter_state", label=_("freshness"))
    tag = django_filters.CharFilter(method="filter_tag", max_length=services.TAG_MAX_LENGTH, label=_("tag"))

    class Meta:
        model = AppealDocument
        fields = ["client", "store", "type", "state", "tag"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        caller = _caller(self.request)
        if caller is not None:
            kinds = selectors.document_types(agency=caller.agency)
            type_filter = self.filters["type"]
            type_filter.extra["choices"] = [(code, kind.label) for code, kind in kinds.items()]
            # The filter's form field is built once and copied along with it (the schema, an earlier list): build
            # it again with this agency's types.
            type_filter.__dict__.pop("_field", None)

    def filter_state(self, documents, name, state):
        """The documents in ``state`` today, judged by the freshness rules (which, not SQL, say when a paper
        ages): one query reads the dates of the documents the list would show."""
        if not state:
            return documents
        catalogue = selectors.type_catalogue(agency=_caller(self.request).agency)
        dated = _bare(documents).only("pk", "type_code", "issued_on", "expires_on")
        matching = [document.pk for document in dated if catalogue.freshness(document).state == state]
        return documents.filter(pk__in=matching)

    def filter_tag(self, documents, name, tag):
        tag = " ".join(tag.split())
        if not tag:
            return documents
        if connections[documents.db].features.supports_json_field_contains:
            return documents.filter(tags__contains=[tag])
        # SQLite cannot ask a JSON list whether it holds a value: read the tags.
        matching = [pk for pk, tags in _bare(documents).values_list("pk", "tags") if tag in (tags or [])]
        return documents.filter(pk__in=matching)
