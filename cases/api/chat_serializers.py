"""What the HR chat API reads and writes: a store's chat eligibility, chats with their transcript and documents, and
the small bodies of the channel's actions (a bulk deletion, Amazon opening it anyway, lifting a freeze).

Times are ISO 8601 with their offset: the next chat window in Beijing time (``+08:00``), the others as the API's
other times. A reason's ``message`` is in the caller's language; its ``code`` is stable (``cases.eligibility``,
``cases.quota``, ``cases.freeze``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Store
from accounts.platform.api.fields import AgencyRelatedField
from documents.models import AppealDocument

from ..models import ChatMessage, ChatSession, MessageTemplateVersion, SupportCase

#: The most documents one chat is logged with.
DOCUMENTS_MAX = 50


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable: plan, store_age, marketplace, ahr_below, ahr_missing, "
                                             "major_violation, serious_alert, bulk_deletion, quota, frozen, …"))
    message = serializers.CharField(help_text=_("What to do about it, in the caller's language."))


class WindowSerializer(serializers.Serializer):
    start = serializers.CharField(help_text=_("ISO 8601 with the window's offset (Beijing: +08:00)."))
    end = serializers.CharField(help_text=_("ISO 8601 with the window's offset; the end itself is outside."))


class ChatEligibilitySerializer(serializers.Serializer):
    """May the store chat now (``selectors.chats.ChatEligibility``)."""

    store = serializers.IntegerField(source="store_id")
    may_chat = serializers.BooleanField()
    reasons = serializers.SerializerMethodField(help_text=_("Every reason the store may not chat now; empty: it may."))
    chats_left_today = serializers.IntegerField(help_text=_("Chat requests the store may still make on the "
                                                            "agency's day."))
    frozen_until = serializers.SerializerMethodField(help_text=_(
        "When the freeze after invalid inquiries ends (ISO 8601); null: not frozen."))
    next_window = serializers.SerializerMethodField(help_text=_(
        "The 08:00–10:00 Beijing window to ask in: the current one, or the next one to start."))
    opened_anyway = serializers.BooleanField(help_text=_(
        "A manager recorded that Amazon opened the channel anyway: the eligibility rules are skipped, never the "
        "quota nor a freeze."))
    opened_anyway_reason = serializers.CharField()

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, answer):
        return [{"code": reason.code, "message": str(reason.message)} for reason in answer.reasons]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_frozen_until(self, answer):
        return answer.frozen_until.isoformat() if answer.frozen_until is not None else None

    @extend_schema_field(WindowSerializer)
    def get_next_window(self, answer):
        start, end = answer.window
        return {"start": start.isoformat(), "end": end.isoformat()}


class ChatMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChatMessage
        fields = ["position", "sender", "role", "sent_at", "text"]
        read_only_fields = fields


class ChatSerializer(serializers.ModelSerializer):
    """A chat of a store: when it was requested, whether it connected, with whom, about what, how it ended."""

    store_name = serializers.CharField(source="store.name", read_only=True)
    logged_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    template_version = serializers.IntegerField(source="template_version_id", read_only=True, allow_null=True)
    store = serializers.IntegerField(source="store_id", read_only=True)

    class Meta:
        model = ChatSession
        fields = ["id", "store", "store_name", "requested_at", "connected", "agent", "category", "message",
                  "template_version", "outcome", "case", "notes", "logged_by", "created_at", "updated_at"]
        read_only_fields = fields


class ChatDetailSerializer(ChatSerializer):
    """A chat with its transcript and the documents attached (``context["documents"]``)."""

    messages = ChatMessageSerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta(ChatSerializer.Meta):
        fields = [*ChatSerializer.Meta.fields, "messages", "documents"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_documents(self, chat):
        return [{"id": document.pk, "title": document.title, "type_code": document.type_code}
                for document in self.context.get("documents", ())]


class ChatLogSerializer(serializers.Serializer):
    """A chat to log (``services.chats.chat_log``)."""

    store = AgencyRelatedField(Store)
    requested_at = serializers.DateTimeField(help_text=_("When the chat was requested (ISO 8601 with an offset)."))
    connected = serializers.BooleanField(default=True)
    agent = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=40, help_text=_("The issue category chosen in Seller Central."))
    message = serializers.CharField(required=False, allow_blank=True, default="", help_text=_(
        "The four-part message sent; the tone check refuses it unless confirm_tone is true."))
    outcome = serializers.ChoiceField(choices=ChatSession.Outcome.choices, required=False, allow_blank=True,
                                      default="")
    case = AgencyRelatedField(SupportCase, required=False, allow_null=True, default=None, help_text=_(
        "The case the chat was transferred to (outcome transferred)."))
    template_version = AgencyRelatedField(MessageTemplateVersion, required=False, allow_null=True, default=None)
    transcript = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                       help_text=_("The transcript as copied from Seller Central."))
    confirm_tone = serializers.BooleanField(default=False, help_text=_(
        "Log the message although the tone check warns about it."))
    documents = AgencyRelatedField(AppealDocument, many=True, required=False, default=list, help_text=_(
        "Documents of the library used in the chat (at most 50)."))
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_documents(self, documents):
        if len(documents) > DOCUMENTS_MAX:
            raise serializers.ValidationError(_("At most %(max)s documents, not %(count)s.")
                                              % {"max": DOCUMENTS_MAX, "count": len(documents)})
        return documents


class ChatUpdateSerializer(serializers.Serializer):
    """The changes of a chat (``services.chats.chat_update``): any of these fields."""

    outcome = serializers.ChoiceField(choices=ChatSession.Outcome.choices, required=False, allow_blank=True)
    connected = serializers.BooleanField(required=False)
    agent = serializers.CharField(max_length=120, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    case = AgencyRelatedField(SupportCase, required=False, allow_null=True)


class TranscriptSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_(
        "The transcript as copied from Seller Central; blank clears it."))


class DocumentAttachSerializer(serializers.Serializer):
    # Write only: the route's answer is the chat (``ChatDetailSerializer``), never this body.
    document = AgencyRelatedField(AppealDocument, write_only=True, help_text=_("A document of the library."))


class ChatChannelSerializer(serializers.Serializer):
    bulk_deletion_on = serializers.DateField(allow_null=True, help_text=_(
        "The day the store's listings were bulk-deleted; null clears it."))


class ChatChannelStateSerializer(serializers.Serializer):
    store = serializers.IntegerField(source="store_id")
    bulk_deletion_on = serializers.DateField(allow_null=True)
    opened_anyway = serializers.BooleanField()
    opened_anyway_reason = serializers.CharField()
    opened_anyway_at = serializers.DateTimeField(allow_null=True)


class ReasonBodySerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("Why; required."))


class FreezeLiftSerializer(serializers.Serializer):
    store = serializers.IntegerField(source="store_id")
    lifted_at = serializers.DateTimeField()
    frozen_until = serializers.DateTimeField(help_text=_("When the freeze would have ended."))
    reason = serializers.CharField()
    lifted_by = serializers.EmailField(source="lifted_by.email", read_only=True, allow_null=True,
                                       help_text=_("Who lifted it (null once their account is gone)."))


class FreezeStateSerializer(serializers.Serializer):
    """A store's freeze now and the freezes managers lifted early, newest first."""

    store = serializers.IntegerField()
    frozen_until = serializers.DateTimeField(allow_null=True, help_text=_(
        "When the running freeze ends; null: not frozen."))
    lifts = FreezeLiftSerializer(many=True)
