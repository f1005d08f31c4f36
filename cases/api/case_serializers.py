"""What the cases API reads and writes: a case with its store, Amazon's case id (its digits, and as Seller Central
shows it), category, ASINs, priority, status and the moves it allows, whether it is flagged for a follow-up; its
timeline; the entries people write; a move; a document to attach.

The checks are the services' (``cases.services.cases``); the serializers only read the shapes of the request.
References (store, alert, document, template) are among the rows the caller sees: any other id is "does not exist"
on its field.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Store
from accounts.platform.api.fields import AgencyMemberField, AgencyRelatedField
from alerts.models import Alert
from documents.models import AppealDocument

from .. import moves
from ..models import CaseEvent, MessageTemplateVersion, Priority, SupportCase

STATUS_CHOICES = SupportCase.Status.choices
#: The entries a person writes on the timeline (status moves and documents have their own endpoints).
ENTRY_KIND_CHOICES = [(kind.value, kind.label) for kind in (
    CaseEvent.Kind.OUR_MESSAGE, CaseEvent.Kind.AMAZON_REPLY, CaseEvent.Kind.NOTE)]
NOTE_MAX_LENGTH = 2000
TEXT_MAX_LENGTH = 20000


def allowed_moves(case):
    """The statuses ``case`` may move to now (``moves.MOVES``)."""
    return [str(status) for status in moves.allowed_moves(case.status)]


class CaseSerializer(serializers.ModelSerializer):
    """A Seller Support case of a store. ``needs_follow_up`` is the follow-up rule at the time of the request
    (``cases.moves.needs_follow_up``: open, and high or urgent or waiting for Amazon longer than the agency's
    hours)."""

    store = serializers.IntegerField(source="store_id", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace", read_only=True)
    amazon_case_id = serializers.CharField(read_only=True, help_text=_(
        "Amazon's case id as its digits (1234567890); empty for a draft."))
    display_case_id = serializers.CharField(read_only=True, help_text=_(
        "Amazon's case id as Seller Central shows it (123-456-7890)."))
    category_label = serializers.SerializerMethodField()
    asins = serializers.ListField(child=serializers.CharField(), read_only=True)
    alert = serializers.IntegerField(source="alert_id", read_only=True, allow_null=True, help_text=_(
        "The id of the alert the case answers; null: none."))
    assignee = serializers.SlugRelatedField(slug_field="email", read_only=True, help_text=_(
        "The email address of the person responsible for the case; null: nobody."))
    needs_follow_up = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = SupportCase
        fields = ["id", "store", "store_name", "marketplace", "amazon_case_id", "display_case_id", "subject",
                  "category", "category_label", "asins", "priority", "expected_result", "status", "transferred_to",
                  "alert", "assignee", "waiting_since", "opened_at", "resolved_at", "closed_at", "created_at",
                  "updated_at", "needs_follow_up", "allowed_moves"]
        read_only_fields = fields

    def get_category_label(self, case) -> str:
        found = self.context.get("categories", {}).get(case.category)
        return str(found.label) if found is not None else case.category

    def get_needs_follow_up(self, case) -> bool:
        hours = self.context.get("follow_up_after_hours")
        if hours is None:
            return False
        return moves.needs_follow_up(status=case.status, priority=case.priority, waiting_since=case.waiting_since,
                                     now=self.context.get("now") or timezone.now(), follow_up_after_hours=hours)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=STATUS_CHOICES)))
    def get_allowed_moves(self, case):
        return allowed_moves(case)


class CaseEventSerializer(serializers.ModelSerializer):
    """An entry of a case's timeline: our message, Amazon's reply, an internal note, a status move or a document
    attached, with its time and author."""

    by = serializers.SerializerMethodField(help_text=_("The person's email address or the API key's name."))
    document = serializers.IntegerField(source="document_id", read_only=True, allow_null=True)
    document_title = serializers.SerializerMethodField()
    template_version = serializers.IntegerField(source="template_version_id", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "at", "text", "from_status", "to_status", "document", "document_title",
                  "template_version", "by"]
        read_only_fields = fields

    def get_by(self, event) -> str | None:
        if event.author is not None:
            return event.author.email
        if event.api_key is not None:
            return event.api_key.name
        return None

    def get_document_title(self, event) -> str:
        return event.document.title if event.document is not None else ""


class CaseDetailSerializer(CaseSerializer):
    """A case with its timeline, oldest first."""

    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]
        read_only_fields = fields


class CaseWriteSerializer(serializers.Serializer):
    """The details of a case to record (POST) or change (PATCH). ``amazon_case_id`` as typed (``123-456-7890`` or
    ``1234567890``; empty: a draft); ``asins`` a list or text separated by commas or spaces."""

    store = AgencyRelatedField(Store, help_text=_("The id of the store the case is about."))
    subject = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=40, help_text=_(
        "A built-in category (account_health, listing_removal, brand_registry, two_step_verification, "
        "category_approval, a_plus_content, payments, other) or one of the agency's own."))
    asins = serializers.JSONField(required=False, default=list, help_text=_(
        "The ASINs concerned: a list, or text with the ASINs separated by commas or spaces."))
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.NORMAL)
    expected_result = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)
    amazon_case_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    alert = AgencyRelatedField(Alert, required=False, allow_null=True, default=None, help_text=_(
        "The id of the alert of the same store the case answers."))
    assignee = AgencyMemberField(required=False, allow_null=True, default=None, help_text=_(
        "The email address of the person responsible for the case."))

    def validate_asins(self, value):
        if value is None:
            return []
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            return value
        raise serializers.ValidationError(_("Give the ASINs as a list of strings or as text."))


class CaseMoveSerializer(serializers.Serializer):
    """A move of a case's status."""

    to_status = serializers.ChoiceField(choices=STATUS_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH)
    transferred_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=120, help_text=_(
        "The Amazon team the case was transferred to (required to move to transferred)."))
    amazon_case_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40, help_text=_(
        "Amazon's case id, to open a draft that has none yet."))
    resolve_alert = serializers.BooleanField(required=False, default=False, help_text=_(
        "Resolving a case that answers an open alert: resolve the alert too."))


class CaseMovedSerializer(CaseDetailSerializer):
    """A case after a move, and what became of the alert it answers."""

    alert_open = serializers.BooleanField(read_only=True, help_text=_(
        "The case was resolved and the alert it answers is still open: offer to resolve it."))
    alert_resolved = serializers.BooleanField(read_only=True, help_text=_("The alert was resolved with the case."))

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "alert_open", "alert_resolved"]
        read_only_fields = fields


class CaseMoveStateSerializer(serializers.Serializer):
    """The moves a case's status allows now."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=STATUS_CHOICES))
    may_move = serializers.BooleanField(help_text=_(
        "Whether the caller may move the case (not a viewer, not a read-only key) and its status allows a move."))


class CaseMoveRefusedSerializer(serializers.Serializer):
    """A move the case's status does not allow (409)."""

    status = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Why, naming the case's status and the moves it allows, in the caller's language."))
    current_status = serializers.ChoiceField(choices=STATUS_CHOICES)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=STATUS_CHOICES))


class CaseEntrySerializer(serializers.Serializer):
    """An entry a person writes on a case's timeline. Our message is checked for its tone first: with warnings it
    is refused (400 on ``text``) unless ``confirm_tone`` is true."""

    kind = serializers.ChoiceField(choices=ENTRY_KIND_CHOICES)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text=_(
        "When it was sent or received; default: now."))
    template_version = AgencyRelatedField(MessageTemplateVersion, required=False, allow_null=True, default=None)
    confirm_tone = serializers.BooleanField(required=False, default=False, help_text=_(
        "Log our message as sent even though the tone checker warned about it."))


class ToneWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    snippets = serializers.ListField(child=serializers.CharField())


class CaseEntryLoggedSerializer(serializers.Serializer):
    """The entry logged, the tone warnings it was logged with, and the status the case moved to because of it
    (an Amazon reply answering a waiting case; empty: none)."""

    event = CaseEventSerializer()
    warnings = ToneWarningSerializer(many=True)
    moved_to = serializers.CharField()


class AttachedDocumentSerializer(serializers.ModelSerializer):
    """A document of the library attached to a case."""

    client = serializers.IntegerField(source="client_id", read_only=True)

    class Meta:
        model = AppealDocument
        fields = ["id", "title", "type_code", "client", "issued_on", "expires_on"]
        read_only_fields = fields


class CaseDocumentSerializer(serializers.Serializer):
    """A document of the library to attach to the case."""

    document = AgencyRelatedField(AppealDocument, write_only=True, help_text=_(
        "The id of a document of the library."))
