"""What the template library's API reads and writes: a template with its current version's four parts, its versions,
a rendering request and its answer (the filled-in parts, the message and its tone warnings), the agency's case
categories and its case and chat policy.

The checks are the services' (``cases.services.templates``); the serializers only read the shapes of the request.
A case or store to render with is among the rows the caller sees: any other id is "does not exist" on its field.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.free_text import FREE_TEXT_MAX_LENGTH
from accounts.models import Store
from accounts.platform.api.fields import AgencyRelatedField

from .. import templating
from ..models import MessageTemplate, MessageTemplateVersion, SupportCase
from ..selectors.templates import current_version
from .case_serializers import ToneWarningSerializer

#: The most placeholder values one rendering takes: a longer object is refused before any work.
MAX_VALUES = len(templating.PLACEHOLDERS)


def _part_field(part, **kwargs):
    return serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, help_text=templating.PART_LABELS[part], **kwargs)


class MessageTemplateSerializer(serializers.ModelSerializer):
    """A template with its current version (``version``) and that version's parts."""

    category_label = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text=_("The number of the current version."))
    issue_type = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    expected_result = serializers.SerializerMethodField()

    class Meta:
        model = MessageTemplate
        fields = ["id", "name", "category", "category_label", "language", "is_active", "use_count", "version",
                  "issue_type", "reference", "evidence", "expected_result", "created_at", "updated_at"]
        read_only_fields = fields

    def _current(self, template):
        if not hasattr(template, "current"):
            template.current = current_version(template)
        return template.current

    def get_category_label(self, template) -> str:
        found = self.context.get("categories", {}).get(template.category)
        return str(found.label) if found is not None else template.category

    def get_version(self, template) -> int | None:
        current = self._current(template)
        return current.number if current is not None else None

    def _part(self, template, part):
        current = self._current(template)
        return getattr(current, part) if current is not None else ""

    def get_issue_type(self, template) -> str:
        return self._part(template, "issue_type")

    def get_reference(self, template) -> str:
        return self._part(template, "reference")

    def get_evidence(self, template) -> str:
        return self._part(template, "evidence")

    def get_expected_result(self, template) -> str:
        return self._part(template, "expected_result")


class MessageTemplateWriteSerializer(serializers.Serializer):
    """A new template (every field) or a change (any of them: ``partial``). A change of a part writes a new version;
    ``is_active`` false retires the template, true puts it back in use."""

    name = serializers.CharField(max_length=120)
    category = serializers.CharField(max_length=40, help_text=_(
        "A category code: a built-in one or one of the agency's (GET /api/v1/case-categories/)."))
    language = serializers.ChoiceField(choices=MessageTemplate.Language.choices)
    issue_type = _part_field("issue_type")
    reference = _part_field("reference")
    evidence = _part_field("evidence")
    expected_result = _part_field("expected_result")
    is_active = serializers.BooleanField(required=False, help_text=_("False retires the template."))


class MessageTemplateVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True, help_text=_(
        "The email address of the person who wrote the version (null: written by an API key or the demo)."))

    class Meta:
        model = MessageTemplateVersion
        fields = ["id", "number", *templating.PARTS, "use_count", "created_by", "created_at"]
        read_only_fields = fields


class RenderRequestSerializer(serializers.Serializer):
    """What to fill the template with: a case the caller sees, or a store the caller sees and the values the store
    cannot give (``values``: placeholder → text)."""

    case = AgencyRelatedField(SupportCase, required=False, allow_null=True, default=None, help_text=_(
        "The id of the case whose store, case id, ASINs, category and expected result fill the placeholders."))
    store = AgencyRelatedField(Store, required=False, allow_null=True, default=None, help_text=_(
        "Without a case: the id of the store whose name, marketplace and seller id fill the placeholders."))
    values = serializers.DictField(child=serializers.CharField(max_length=2000, allow_blank=True), required=False,
                                   default=dict, help_text=_(
        "Placeholder → text, over what the case gives: store, marketplace, seller_id, case_id, asin, asins, category, "
        "expected_result, operator, today."))

    def validate_values(self, values):
        if len(values) > MAX_VALUES:
            raise serializers.ValidationError(_("At most %(max)s values.") % {"max": MAX_VALUES})
        return values

    def validate(self, attrs):
        if attrs.get("case") is not None and attrs.get("store") is not None:
            raise serializers.ValidationError({"store": [_("Give a case or a store, not both: the case names its "
                                                           "store.")]})
        return attrs


class PlaceholderSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The placeholder, without its braces."))
    description = serializers.CharField(help_text=_("What fills it in, in the caller's language."))


class RenderNeedsSerializer(serializers.Serializer):
    """What filling a template in needs: its current version and the placeholders the version uses."""

    template = serializers.IntegerField()
    version = serializers.SerializerMethodField(help_text=_("The number of the current version (null: none)."))
    placeholders = serializers.SerializerMethodField()

    def get_version(self, needs) -> int | None:
        return needs["version"].number if needs["version"] is not None else None

    @extend_schema_field(PlaceholderSerializer(many=True))
    def get_placeholders(self, needs):
        version = needs["version"]
        if version is None:
            return []
        names = dict.fromkeys(name for part in templating.PARTS
                              for name in templating.placeholders_in(getattr(version, part)))
        return [{"name": name, "description": str(templating.PLACEHOLDERS[name])} for name in names
                if name in templating.PLACEHOLDERS]


class RenderedSerializer(serializers.Serializer):
    template = serializers.IntegerField(source="version.template_id")
    version = serializers.IntegerField(source="version.number", help_text=_("The version that was filled in."))
    template_version = serializers.IntegerField(source="version.pk", help_text=_(
        "The id of the version: name it when logging the message, so that its use is counted."))
    parts = serializers.DictField(child=serializers.CharField(), help_text=_("Each part filled in, by part name."))
    text = serializers.CharField(help_text=_("The whole message: the four parts, each a paragraph."))
    warnings = ToneWarningSerializer(many=True, help_text=_(
        "The tone checker's warnings about the message (emotional or chasing words, shouting): empty when calm."))


class CaseCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("null for a built-in category."))
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    built_in = serializers.BooleanField(read_only=True)


@extend_schema_field({"type": "integer"})
class PolicyNumberField(serializers.Field):
    """A number of the policy, handed to ``services.case_policy_set`` as sent: the service names the value and the
    bounds of a number it refuses."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class CasePolicySerializer(serializers.Serializer):
    """The agency's case and chat numbers; a number not sent stays as it is."""

    min_store_age_days = PolicyNumberField(required=False, help_text=_(
        "Chat is open to stores registered more than this many days ago."))
    ahr_threshold = PolicyNumberField(required=False, help_text=_(
        "The lowest Account Health Rating (0 to 1000) on every day of the window."))
    ahr_days = PolicyNumberField(required=False, help_text=_("The days of the Account Health Rating window."))
    violation_days = PolicyNumberField(required=False, help_text=_(
        "Chat is closed for this many days after a major policy violation."))
    bulk_deletion_days = PolicyNumberField(required=False, help_text=_(
        "Chat is closed for this many days after a bulk deletion of listings."))
    chats_per_day = PolicyNumberField(required=False, help_text=_("Chat requests per store per day."))
    invalid_to_freeze = PolicyNumberField(required=False, help_text=_(
        "Invalid inquiries in a row that freeze the chat channel."))
    freeze_days = PolicyNumberField(required=False, help_text=_("Days the chat channel stays frozen."))
    follow_up_after_hours = PolicyNumberField(required=False, help_text=_(
        "A case waiting this long for Amazon is flagged for a chat or a follow-up."))
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
