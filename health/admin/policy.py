"""The agency's health policy in the admin: its one row, which owners and managers edit and everyone else reads.

The row is created with DOMAIN.md's defaults the first time anyone opens the list (``services.health_policy_ensure``);
``current/`` goes straight to its form (the sidebar's link). Targets and the yellow margin are typed and shown as
percentages (4 for 4 %) and stored as fractions; every write goes through ``services.health_policy_update``, which
checks the numbers (its errors become the form's field errors) and evaluates every store again.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminDecimalFieldWidget

from accounts.platform.admin_site import PolicyAdmin, register_audit_trail, site
from accounts.roles import Power
from accounts.tenancy import caller_of

from .. import metrics, selectors, services
from ..models import HealthPolicy

HUNDRED = Decimal(100)
TARGETS = tuple(f"{key}_target" for key in metrics.RATE_KEYS)
PERCENTAGES = (*TARGETS, "yellow_margin")
COUNT_TARGETS = tuple(f"{key}_target" for key in metrics.COUNT_KEYS)
#: Who changes the policy: owners and managers (and read-write keys, which have no admin).
EDIT_POLICY = Power.MANAGE


def _percent_label(name):
    if name == "yellow_margin":
        return _("Yellow margin (%)")
    return format_lazy(_("{metric} target (%)"), metric=metrics.BY_KEY[name.removesuffix("_target")].label)


def _percent_help(name):
    if name == "yellow_margin":
        return _("How close to its target a metric turns yellow, as a share of the room between the target and "
                 "the perfect value: 20 turns a 4% target yellow from 3.2%.")
    metric = metrics.BY_KEY[name.removesuffix("_target")]
    return format_lazy(_("Amazon's target: {condition} {target}. A report's own target wins for its day."),
                       condition=metrics.Condition(metric.condition).label,
                       target=metrics.rate_as_percent(metric.target))


def as_percent(fraction):
    """A stored fraction as the number a person types (0.04 → 4, 0.025 → 2.5)."""
    # Without trailing zeros, and written out: normalize() alone turns 90 into 9E+1.
    return None if fraction is None else Decimal(format((Decimal(str(fraction)) * HUNDRED).normalize(), "f"))


class HealthPolicyForm(forms.ModelForm):
    """The policy's numbers, percentages typed as such; checked by ``services.health_policy_errors``."""

    class Meta:
        model = HealthPolicy
        fields = (*PERCENTAGES, "ahr_critical_below", "ahr_at_risk_below", *COUNT_TARGETS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PERCENTAGES:
            if name in self.fields:
                self.fields[name] = forms.DecimalField(
                    label=_percent_label(name), help_text=_percent_help(name), min_value=0, max_value=100,
                    max_digits=7, decimal_places=4, initial=as_percent(getattr(self.instance, name)),
                    widget=UnfoldAdminDecimalFieldWidget)
                self.initial[name] = as_percent(getattr(self.instance, name))

    def clean(self):
        cleaned = super().clean()
        numbers = {}
        for name, value in cleaned.items():
            if name in PERCENTAGES and value is not None:
                numbers[name] = cleaned[name] = float(value / HUNDRED)
            elif value is not None:
                numbers[name] = value
        for name, messages in services.health_policy_errors(policy=self.instance, numbers=numbers).items():
            self.add_error(name if name in self.fields else None, messages)
        return cleaned


def _percent_column(name):
    @admin.display(description=_percent_label(name))
    def column(self, obj):
        return metrics.rate_as_percent(getattr(obj, name))

    return column


@admin.register(HealthPolicy, site=site)
class HealthPolicyAdmin(PolicyAdmin):
    """The agency's one row (``PolicyAdmin``)."""

    form = HealthPolicyForm
    write_power = EDIT_POLICY
    list_display = ("__str__", "late_shipment_rate_target_percent",
                    "yellow_margin_percent", "ahr_critical_below", "ahr_at_risk_below", "updated_at")
    readonly_fields = ("updated_at",)

    def get_fieldsets(self, request, obj=None):
        writes = self._can_write(request)
        shown = (lambda name: name) if writes else (lambda name: f"{name}_percent")
        return (
            (_("Targets"), {"fields": [shown(name) for name in TARGETS],
                            "description": _("Rates in percent. A value equal to its target does not meet it.")}),
            (_("Yellow"), {"fields": [shown("yellow_margin")]}),
            (_("Account Health Rating"), {"fields": ["ahr_critical_below", "ahr_at_risk_below"]}),
            (_("Policy counts"), {"fields": list(COUNT_TARGETS), "classes": ["collapse"],
                                  "description": _("Amazon's target is 0. A count above its target is red when it "
                                                   "rose since the previous count, yellow while it stays.")}),
            (None, {"fields": ["updated_at"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        if self._can_write(request):
            return self.readonly_fields
        return (*(f"{name}_percent" for name in PERCENTAGES), "ahr_critical_below", "ahr_at_risk_below",
                *COUNT_TARGETS, "updated_at")

    def policy_of(self, agency):
        return selectors.health_policy(agency=agency)

    def policy_ensure(self, agency):
        return services.health_policy_ensure(agency=agency)

    def save_model(self, request, obj, form, change):
        numbers = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}
        policy = services.health_policy_update(agency=caller_of(request).agency, **numbers)
        form.instance = policy
        obj.pk = policy.pk


for _name in PERCENTAGES:
    setattr(HealthPolicyAdmin, f"{_name}_percent", _percent_column(_name))

register_audit_trail(HealthPolicy)
