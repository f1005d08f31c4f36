"""What the health API reads out: a store's health (every metric's value, target, colour and reason) and its
snapshots' history. Values are as in the metric vocabulary (rates are fractions: 0.046 is 4.6 %)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import metrics
from ..metrics import Condition, ReportStatus
from ..models import HealthSnapshot, Source
from ..thresholds import Colour, Rule


class TargetSource:
    REPORT = "report"
    POLICY = "policy"
    CHOICES = [(REPORT, _("Amazon's report of that day")), (POLICY, _("the agency's health policy"))]


class TargetSerializer(serializers.Serializer):
    value = serializers.FloatField(help_text=_("The target, a fraction for a rate (0.04 is 4%)."))
    condition = serializers.ChoiceField(choices=Condition.choices,
                                        help_text=_("How the value must compare with the target to meet it."))
    source = serializers.ChoiceField(choices=TargetSource.CHOICES, help_text=_("Where the target comes from."))


class MetricHealthSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=metrics.CHOICES)
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True, help_text=_("The value of the latest snapshot; null: no data."))
    display_value = serializers.CharField(help_text=_("The value as a person reads it (rates as percentages)."))
    target = TargetSerializer(allow_null=True)
    report_status = serializers.ChoiceField(choices=ReportStatus.choices, allow_null=True,
                                            help_text=_("Amazon's own verdict in its report of that day."))
    colour = serializers.ChoiceField(choices=Colour.choices)
    rule = serializers.ChoiceField(choices=Rule.choices)
    reason = serializers.CharField(help_text=_("Why the metric has its colour, in the caller's language."))


class StoreHealthSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    date = serializers.DateField(allow_null=True, help_text=_("The date of the latest snapshot."))
    colour = serializers.ChoiceField(choices=Colour.choices, help_text=_("The worst colour of the metrics."))
    worst_metric = serializers.ChoiceField(choices=metrics.CHOICES, allow_null=True)
    worst_reason = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    metrics = MetricHealthSerializer(many=True)


def _target(target):
    if target is None:
        return None
    return {"value": target.value, "condition": target.condition,
            "source": TargetSource.REPORT if target.from_report else TargetSource.POLICY}


def store_health_data(store, verdict):
    """The representation of ``verdict`` (an ``evaluation.DayVerdict``) on ``store``, for
    ``StoreHealthSerializer``; reasons are worded in the active language."""
    snapshot = verdict.snapshot
    report_targets = (snapshot.report_targets or {}) if snapshot is not None else {}
    worst = verdict.worst
    return {
        "store": store.pk,
        "date": snapshot.date if snapshot else None,
        "colour": verdict.colour,
        "worst_metric": worst.key if worst else None,
        "worst_reason": worst.reason if worst else "",
        "source": snapshot.source if snapshot else None,
        "received_at": snapshot.received_at if snapshot else None,
        "metrics": [
            {"key": key, "label": str(metrics.BY_KEY[key].label), "value": evaluation.value,
             "display_value": metrics.display_value(key, evaluation.value), "target": _target(verdict.target_of(key)),
             "report_status": (report_targets.get(key) or {}).get("status"), "colour": evaluation.colour,
             "rule": evaluation.rule, "reason": evaluation.reason}
            for key, evaluation in verdict.evaluations.items()
        ],
    }


class SnapshotSerializer(serializers.ModelSerializer):
    store = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = HealthSnapshot
        fields = ["id", "store", "date", "source", "received_at", *metrics.KEYS, "report_targets"]
        read_only_fields = fields
