"""Clients and stores as files (CSV, XLSX): what a row of each holds, how it names other rows, how it is written.

* A **client** row is named by the client's name in the agency: a name the agency has updates that client,
  another creates one. Its report language is written as the language's code (``zh-hans``) and read by its code or
  its name in either language; an empty cell is the agency's language.
* A **store** row is named by its seller id and marketplace in the agency (``Store``'s own unique rule): an
  existing store is updated, another pair creates a store. Its client is named by the client's name, among the
  agency's clients only; the marketplace by its code (``US``; an Amazon marketplace id or ``GB`` is read as well,
  ``accounts.marketplaces``); the status and the selling plan by their value (``at_risk``, which an export writes)
  or their label. The store's operators are exported for reading, and never imported: who works on a store is
  changed where assignments are.
* Rows are checked by the rules every write of a client or store meets (Django's field validation and
  ``rules.client_errors`` / ``rules.store_errors``, as ``full_clean()`` applies them in the services), and written
  as a set with their audit trail (``accounts.platform.resources``). The services write nothing else for a client
  or a store; a service that comes to (a task queued after a store is created) must be given its set-based
  counterpart here too.
* A file carries no ids, so another agency's rows cannot be named by one, and a seller id that another agency also
  runs is a store of this agency like any other.

The admin's import and export pages use these (``accounts.admin.stores``), through the platform's base
(``accounts.platform.resources``), which explains the guarantees every import shares.
"""

from django.conf import settings
from import_export.fields import Field
from import_export.widgets import Widget

from . import marketplaces, rules
from .models import Client, SellingPlan, Store, StoreStatus
from .platform.resources import (
    AgencyResource,
    ChoiceWidget,
    DateWidget,
    ReferenceWidget,
    TextWidget,
    YesNoWidget,
)
from .platform.spreadsheets import text_of_cell


class ProductLanguages:
    """The product's languages (``settings.LANGUAGES``) in the shape ``ChoiceWidget`` reads: a client's report
    language is written as its code (``zh-hans``) and read by its code or its name in any language ("简体中文")."""

    choices = settings.LANGUAGES
    values = [code for code, _name in settings.LANGUAGES]


def _column(model, name, widget, **options):
    """A column named by the model field's label, in the reader's language."""
    return Field(attribute=name, column_name=model._meta.get_field(name).verbose_name, widget=widget, **options)


class MarketplaceWidget(Widget):
    """A marketplace by its code, or anything ``accounts.marketplaces`` reads as one; an export writes the code."""

    def clean(self, value, row=None, **kwargs):
        text = text_of_cell(value)
        if not text:
            return ""
        found = marketplaces.marketplace(text)
        if found is None:
            refused = rules.store_errors(marketplace=text, registered_on=None, today=None, seller_id="",
                                         seller_id_taken=False)
            raise ValueError(refused["marketplace"][0])
        return found.code

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ClientResource(AgencyResource):
    name = _column(Client, "name", TextWidget())
    legal_name = _column(Client, "legal_name", TextWidget())
    contact_name = _column(Client, "contact_name", TextWidget())
    contact_email = _column(Client, "contact_email", TextWidget())
    contact_phone = _column(Client, "contact_phone", TextWidget())
    notes = _column(Client, "notes", TextWidget())
    report_language = _column(Client, "report_language", ChoiceWidget(ProductLanguages))

    class Meta:
        model = Client
        name = Client._meta.verbose_name_plural
        fields = ("name", "legal_name", "contact_name", "contact_email", "contact_phone", "notes", "report_language")
        import_id_fields = ("name",)

    def rule_errors(self, client):
        # The name is taken by no other client: it would have named that client's row, or an earlier row.
        return rules.client_errors(name=client.name, name_taken=False)


class StoreResource(AgencyResource):
    name = _column(Store, "name", TextWidget())
    client = _column(Store, "client", ReferenceWidget(Client))
    marketplace = _column(Store, "marketplace", MarketplaceWidget())
    seller_id = _column(Store, "seller_id", TextWidget())
    registered_on = _column(Store, "registered_on", DateWidget())
    selling_plan = _column(Store, "selling_plan", ChoiceWidget(SellingPlan))
    brand_registered = _column(Store, "brand_registered", YesNoWidget())
    status = _column(Store, "status", ChoiceWidget(StoreStatus))
    notes = _column(Store, "notes", TextWidget())
    operators = Field(column_name=Store._meta.get_field("operators").verbose_name, readonly=True)

    class Meta:
        model = Store
        name = Store._meta.verbose_name_plural
        fields = ("name", "client", "marketplace", "seller_id", "registered_on", "selling_plan", "brand_registered",
                  "status", "notes", "operators")
        import_id_fields = ("seller_id", "marketplace")

    def get_queryset(self):
        # A store's preview shows its client's name.
        return super().get_queryset().select_related("client")

    def dehydrate_operators(self, store):
        # ``operators`` is prefetched by the store list the export reads.
        return ", ".join(sorted(person.email for person in store.operators.all())) if store.pk else ""

    def rule_errors(self, store):
        # The seller id is taken on the marketplace by no other store: it would have named that store's row, or an
        # earlier row.
        return rules.store_errors(marketplace=store.marketplace, registered_on=store.registered_on,
                                  today=self.agency.today(), seller_id=store.seller_id, seller_id_taken=False)
