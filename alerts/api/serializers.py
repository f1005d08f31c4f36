"""What the alerts API reads and writes: alerts with their store, values, due time and the moves their status
allows; an alert's transitions; the note of a move, and the answer when a move is refused.

Values are as in the metric vocabulary (a rate is a fraction: 0.046 is 4.6 %), each also as a person reads it
(``health.metrics.display_value``). Whether an alert is overdue is the rules' (``alerts.rules.is_overdue``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from health import metrics

from .. import labels, services
from ..models import Alert, AlertTransition
from ..rules import AlertKind

NOTE_MAX_LENGTH = AlertTransition._meta.get_field("reason").max_length


def allowed_moves(alert):
    """The statuses ``alert`` may move to now (``services.MOVES``)."""
    return [str(status) for status in services.MOVES[Alert.Status(alert.status)]]


class AlertSerializer(serializers.ModelSerializer):
    """An alert: one episode of one store's trouble with one metric (its ``rule``)."""

    store = serializers.IntegerField(source="store_id", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    seller_id = serializers.CharField(source="store.seller_id", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace", read_only=True)
    client = serializers.IntegerField(source="store.client_id", read_only=True)
    client_name = serializers.CharField(source="store.client.name", read_only=True)
    rule = serializers.ChoiceField(choices=metrics.CHOICES, read_only=True, help_text=_(
        "The metric the alert is about (a key of the metric vocabulary)."))
    rule_label = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=AlertKind.choices, read_only=True, help_text=_(
        "What the alert is about; it sets how soon someone must act."))
    opened_value = serializers.JSONField(read_only=True, help_text=_("The metric's value when the alert opened."))
    opened_display = serializers.SerializerMethodField()
    latest_value = serializers.JSONField(read_only=True, help_text=_("The metric's value at the latest evaluation."))
    latest_display = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="email", read_only=True, help_text=_(
        "The email address of the person responsible for the alert; null: nobody."))
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "store", "store_name", "seller_id", "marketplace", "client", "client_name", "rule",
                  "rule_label", "kind", "severity", "status", "first_seen_at", "last_seen_at", "opened_value",
                  "opened_target", "opened_display", "latest_value", "latest_target", "latest_display", "due_at",
                  "overdue", "muted", "assignee", "notes", "acknowledged_at", "escalated_at", "resolved_at",
                  "allowed_moves"]
        read_only_fields = fields

    def get_rule_label(self, alert) -> str:
        return str(labels.rule_label(alert))

    def get_opened_display(self, alert) -> str:
        return labels.value_shown(alert, alert.opened_value)

    def get_latest_display(self, alert) -> str:
        return labels.value_shown(alert, alert.latest_value)

    def get_overdue(self, alert) -> bool:
        return labels.is_overdue(alert)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Alert.Status.choices)))
    def get_allowed_moves(self, alert):
        return allowed_moves(alert)


class TransitionSerializer(serializers.ModelSerializer):
    """A move of an alert's status: from, to, when, who or what made it, and why."""

    by = serializers.SerializerMethodField(help_text=_(
        "The person's email address, the API key's name, or null when the product's evaluation made the move."))
    by_kind = serializers.SerializerMethodField()

    class Meta:
        model = AlertTransition
        fields = ["from_status", "to_status", "at", "by", "by_kind", "reason"]
        read_only_fields = fields

    def get_by(self, transition) -> str | None:
        if transition.actor is not None:
            return transition.actor.email
        if transition.api_key is not None:
            return transition.api_key.name
        return None

    @extend_schema_field(serializers.ChoiceField(choices=["person", "api_key", "evaluation"]))
    def get_by_kind(self, transition):
        if transition.actor_id is not None:
            return "person"
        if transition.api_key_id is not None:
            return "api_key"
        return "evaluation"


class AlertDetailSerializer(AlertSerializer):
    """An alert with every move of its status, oldest first."""

    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "transitions"]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    """The note of a move. Optional to acknowledge; required to resolve (the service refuses a blank one on
    ``note``)."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")


class MoveStateSerializer(serializers.Serializer):
    """Whether an alert can make a move now."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=Alert.Status.choices))
    allowed = serializers.BooleanField(help_text=_(
        "Whether the caller may make this move now: the alert's status allows it (``allowed_moves``) and the caller "
        "may work on alerts (not a viewer, not a read-only key)."))


class MoveRefusedSerializer(serializers.Serializer):
    """A move the alert's status does not allow (409)."""

    status = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Why, naming the alert's status and the moves it allows, in the caller's language."))
    current_status = serializers.ChoiceField(choices=Alert.Status.choices)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=Alert.Status.choices))
