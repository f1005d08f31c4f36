"""Snapshots in the admin: every store's days as received (an operator: their stores'), and a day entered or
corrected by hand.

A day entered by hand goes the way every other source goes, through ``services.snapshots_upsert`` with
``Source.MANUAL``: one validation (the service's; its row errors become the form's field errors) and one upsert on
(store, day), so adding a day that exists corrects it. Rates are typed as percentages (4.6 for 4.6%) and stored
as fractions. A metric left empty is "no data" for that day. The owners, managers and operators of a store may
enter its days; only those who manage the portfolio delete one.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.widgets import UnfoldAdminDecimalFieldWidget, UnfoldAdminSelectWidget

from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, site
from accounts.roles import Power
from accounts.tenancy import caller_of

from .. import metrics, services, tasks
from ..ingestion import BatchRejected
from ..metrics import Kind
from ..models import HealthSnapshot, Source

#: The metrics a person types in (warnings come from Amazon's report only).
MANUAL_KEYS = tuple(key for key in metrics.KEYS if metrics.BY_KEY[key].kind != Kind.WARNINGS)
STATUS_CHOICES = {"ahr_status": metrics.AHR_STATUSES, "account_status": metrics.ACCOUNT_STATUSES}
#: Who enters a day by hand (the store's operators, managers, owners), and who deletes one.
ENTER_DAYS = Power.WORK_ON_STORES
DELETE_DAYS = Power.MANAGE

HUNDRED = Decimal(100)


class ManualSnapshotForm(forms.ModelForm):
    """A day of one store as typed by a person. Validating the form *is* submitting the row to
    ``services.snapshots_upsert``: it writes nothing when any row error comes back (the errors go to their
    fields), and the saved snapshot becomes the form's instance when none does. ``caller`` (set by the admin)
    limits the stores the row may name to those the person sees."""

    caller = None

    class Meta:
        model = HealthSnapshot
        # The store is added by the admin's form factory, in the request's scope (its choices are the agency's).
        fields = ("date", *MANUAL_KEYS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in MANUAL_KEYS:
            if key not in self.fields:
                continue
            metric = metrics.BY_KEY[key]
            if metric.is_rate:
                value = getattr(self.instance, key) if self.instance.pk else None
                self.fields[key] = forms.DecimalField(
                    label=format_lazy("{label} (%)", label=metric.label), required=False, min_value=0,
                    max_value=100, decimal_places=4, initial=None if value is None else round(value * 100, 4),
                    widget=UnfoldAdminDecimalFieldWidget)
            elif key in STATUS_CHOICES:
                known = list(STATUS_CHOICES[key])
                current = getattr(self.instance, key) if self.instance.pk else None
                if current and current not in known:
                    known.append(current)  # a status Amazon sent that the list does not know stays choosable
                self.fields[key] = forms.ChoiceField(
                    label=metric.label, required=False, widget=UnfoldAdminSelectWidget,
                    choices=[("", "—"), *((status, status) for status in known)])

    def snapshot_row(self):
        """The row the service takes: the store, the day, and the metrics of the form. On a day's own page every
        metric is sent (a field emptied there is "no data"); a day added by hand names only the metrics typed in,
        so that adding a day that already holds the ERP's values corrects what was typed and keeps the rest."""
        data = self.cleaned_data
        store = data.get("store") or self.instance.store
        day = data.get("date") or self.instance.date
        row = {"store": store.pk, "date": day.isoformat()}
        adding = self.instance.pk is None
        for key in MANUAL_KEYS:
            if key not in self.fields:
                continue
            value = data.get(key)
            if value in ("", None):
                if not adding:
                    row[key] = None
            elif metrics.BY_KEY[key].is_rate:
                row[key] = float(Decimal(value) / HUNDRED)
            else:
                row[key] = value
        return row

    def clean(self):
        data = super().clean()
        if all(data.get(key) in ("", None) for key in MANUAL_KEYS if key in self.fields):
            # A day without a single value would say nothing, and on a day's page would erase it.
            raise forms.ValidationError(_("Enter at least one metric of the day."), code="no_metrics")
        return data

    def _post_clean(self):
        # The model's own checks (ranges, one row per store and day) are the service's validation, run once.
        if self.errors:
            return
        row = self.snapshot_row()
        agency = self.instance.agency
        try:
            services.snapshots_upsert(agency=agency, rows=[row], source=Source.MANUAL, caller=self.caller)
        except BatchRejected as rejected:
            for error in rejected.errors:
                self.add_error(error.field if error.field in self.fields else None, error.message)
            return
        self.instance = HealthSnapshot.objects.get(agency=agency, store_id=row["store"], date=row["date"])


def _rate_column(key):
    metric = metrics.BY_KEY[key]

    @admin.display(description=metric.abbreviation, ordering=key)
    def column(self, obj):
        return metrics.display_value(key, getattr(obj, key)) or "—"

    column.__name__ = f"{key}_shown"
    return column


@admin.register(HealthSnapshot, site=site)
class HealthSnapshotAdmin(TenantAdmin):
    form = ManualSnapshotForm
    write_power = ENTER_DAYS
    list_display = ("store", "date", "source", "ahr_score", "account_status", "odr_mfn_shown",
                    "late_shipment_rate_shown", "valid_tracking_rate_shown", "ip_complaints")
    list_filter = (("store", VisibleRowFilter), ("source", ChoicesDropdownFilter), ("date", RangeDateFilter))
    list_filter_submit = True
    list_select_related = ("store",)
    search_fields = ("store__name", "store__seller_id")
    autocomplete_fields = ("store",)
    list_per_page = 50
    actions = None

    odr_mfn_shown = _rate_column("odr_mfn")
    late_shipment_rate_shown = _rate_column("late_shipment_rate")
    valid_tracking_rate_shown = _rate_column("valid_tracking_rate")

    def get_fieldsets(self, request, obj=None):
        day = ("store", "date", "source", "received_at") if obj is not None else ("store", "date")
        return (
            (None, {"fields": day}),
            (_("Account"), {"fields": ("ahr_score", "ahr_status", "account_status")}),
            (_("Rates (%)"), {"fields": metrics.RATE_KEYS}),
            (_("Policy counts"), {"fields": metrics.COUNT_KEYS}),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def get_readonly_fields(self, request, obj=None):
        # A day is corrected where it is: its store and date are what the upsert finds it by.
        return ("store", "date", "source", "received_at") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return caller_of(request).can(DELETE_DAYS)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form submitted the row (``ManualSnapshotForm``)."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        tasks.queue_evaluation(agency=obj.agency, store_ids=[obj.store_id])
