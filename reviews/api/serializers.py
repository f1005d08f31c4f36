"""What the monthly review's API reads and writes: reviews with their store, status and the moves it allows; one
review with its frozen month (``summary``), its checklist in the caller's language with the answers, and its trail;
the answers and comment a reviewer sends; the comment of a move and the answer when a move is refused; cycles, the
review policy and the checklist versions.

A month is written ``YYYY-MM`` (the agency's months: ``reviews.services.month_bounds``).
"""

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.free_text import FREE_TEXT_MAX_LENGTH

from .. import checklist, workflow
from ..filters import month_of
from ..models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview

STATUSES = StoreReview.Status.choices


def allowed_moves(review):
    """The statuses ``review`` may move to now (``workflow.MOVES``)."""
    return [str(status) for status in workflow.allowed_moves(review.status)]


def _person(user):
    return (user.full_name or user.email) if user is not None else None


class ReviewSerializer(serializers.ModelSerializer):
    """A store's review of one month."""

    cycle = serializers.IntegerField(source="cycle_id", read_only=True)
    month = serializers.SerializerMethodField()
    due_on = serializers.DateField(source="cycle.due_on", read_only=True)
    store = serializers.IntegerField(source="store_id", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    seller_id = serializers.CharField(source="store.seller_id", read_only=True)
    marketplace = serializers.CharField(source="store.marketplace", read_only=True)
    client = serializers.IntegerField(source="store.client_id", read_only=True)
    client_name = serializers.CharField(source="store.client.name", read_only=True)
    reviewer = serializers.IntegerField(source="reviewer_id", read_only=True, allow_null=True, help_text=_(
        "The id of the person who reviews the store (its operator when the cycle opened); null: the managers' "
        "queue."))
    reviewer_name = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = StoreReview
        fields = ["id", "cycle", "month", "due_on", "store", "store_name", "seller_id", "marketplace", "client",
                  "client_name", "reviewer", "reviewer_name", "status", "issues_found", "overdue", "submitted_at",
                  "approved_at", "approved_by", "updated_at", "allowed_moves"]
        read_only_fields = fields

    def get_month(self, review) -> str:
        return review.cycle.month.strftime("%Y-%m")

    def get_reviewer_name(self, review) -> str | None:
        return _person(review.reviewer)

    def get_approved_by(self, review) -> str | None:
        return _person(review.approved_by)

    def get_overdue(self, review) -> bool:
        today = self.context.get("today") or review.agency.today()  # the view gives the agency's day once
        return workflow.is_overdue(status=review.status, due_on=review.cycle.due_on, today=today)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=STATUSES)))
    def get_allowed_moves(self, review):
        return allowed_moves(review)


class ReviewEventSerializer(serializers.ModelSerializer):
    """An entry of a review's trail: a move of its status (from, to) or a refresh of its summary; when, who, and
    the comment."""

    by = serializers.SerializerMethodField(help_text=_(
        "The person's email address, the API key's name, or null when the product itself did it."))
    by_kind = serializers.SerializerMethodField()

    class Meta:
        model = ReviewEvent
        fields = ["kind", "from_status", "to_status", "at", "by", "by_kind", "comment"]
        read_only_fields = fields

    def get_by(self, event) -> str | None:
        if event.actor is not None:
            return event.actor.email
        if event.api_key is not None:
            return event.api_key.name
        return None

    @extend_schema_field(serializers.ChoiceField(choices=["person", "api_key", "product"]))
    def get_by_kind(self, event):
        if event.actor_id is not None:
            return "person"
        if event.api_key_id is not None:
            return "api_key"
        return "product"


class ChecklistAnswerSerializer(serializers.Serializer):
    """An item of the review's checklist, in the caller's language, with its answer."""

    code = serializers.CharField()
    text = serializers.CharField()
    required = serializers.BooleanField()
    answer = serializers.ChoiceField(choices=checklist.ANSWERS, allow_null=True, help_text=_(
        "done, not_applicable or issue_found; null: not answered yet."))
    note = serializers.CharField(allow_blank=True)


class ReviewDetailSerializer(ReviewSerializer):
    """A review with its month frozen at opening (or at its latest refresh), its checklist and answers, the
    reviewer's comment and its trail, oldest first."""

    summary = serializers.JSONField(read_only=True, help_text=_(
        "The store's month as computed at opening or at the latest refresh: metrics, AHR, alerts, cases, chats and "
        "the appeal kit."))
    checklist_version = serializers.IntegerField(source="cycle.checklist.number", read_only=True)
    checklist = serializers.SerializerMethodField()
    events = ReviewEventSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "summary", "summary_at", "checklist_version", "checklist", "answers",
                  "comment", "events"]
        read_only_fields = fields

    @extend_schema_field(ChecklistAnswerSerializer(many=True))
    def get_checklist(self, review):
        language, answers = get_language(), review.answers or {}
        return [{"code": item["code"], "text": checklist.item_text(item, language),
                 "required": bool(item.get("required")),
                 "answer": (answers.get(item["code"]) or {}).get("answer"),
                 "note": (answers.get(item["code"]) or {}).get("note", "")}
                for item in review.cycle.checklist.items]


class ReviewChangeSerializer(serializers.Serializer):
    """What a reviewer changes: answers to items of the checklist (laid over those the review has; null clears an
    item's answer) and the comment."""

    answers = serializers.JSONField(required=False, help_text=_(
        "{item code: answer}, each answer \"done\", \"not_applicable\", or {\"answer\": \"issue_found\", \"note\": "
        "\"what was found\"} (a note is required with issue_found); null clears an answer."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH, help_text=_(
        "The reviewer's comment on the store's month (it goes into the client's report)."))


class ReviewMoveSerializer(serializers.Serializer):
    """The comment of a move: optional to submit and approve, required to return."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH, default="")


class ReviewMoveStateSerializer(serializers.Serializer):
    """Whether a review can make a move now."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=STATUSES))
    allowed = serializers.BooleanField(help_text=_(
        "Whether the caller may make this move now: the review's status allows it (allowed_moves) and the caller "
        "may make it (operators work on and submit, managers also approve and return; viewers and read-only keys "
        "never move)."))


class ReviewMoveRefusedSerializer(serializers.Serializer):
    """A move the review's status does not allow (409)."""

    status = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Why, naming the review's status and the moves it allows, in the caller's language."))
    current_status = serializers.ChoiceField(choices=STATUSES)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=STATUSES))


class CycleSerializer(serializers.ModelSerializer):
    """One month's review of the agency, with how many of its reviews are in each status."""

    month = serializers.SerializerMethodField()
    checklist_version = serializers.IntegerField(source="checklist.number", read_only=True)
    opened_by = serializers.SerializerMethodField(help_text=_("Null when the product opened it on the 1st."))
    reviews = serializers.IntegerField(source="review_total", read_only=True)
    by_status = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCycle
        fields = ["id", "month", "due_on", "checklist_version", "opened_by", "created_at", "reviews", "by_status"]
        read_only_fields = fields

    def get_month(self, cycle) -> str:
        return cycle.month.strftime("%Y-%m")

    def get_opened_by(self, cycle) -> str | None:
        return _person(cycle.opened_by)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_by_status(self, cycle):
        return {status: getattr(cycle, f"{status}_total", 0) for status in StoreReview.Status.values}


class CycleOpenSerializer(serializers.Serializer):
    """The past month whose review to open."""

    month = serializers.CharField(max_length=20, help_text=_("The month, as YYYY-MM; it must be over."))

    def validate_month(self, text):
        """The month's first day."""
        return month_of(text, error=serializers.ValidationError(
            gettext("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": text}))


class ReviewPolicySerializer(serializers.ModelSerializer):
    """The agency's review numbers; a number not sent stays as it is."""

    due_day = serializers.JSONField(required=False, help_text=_(
        "A cycle's reviews are due on this day (1 to 28) of the month after the month reviewed."))
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_(
        "When the policy was last changed; null while the agency keeps the defaults."))

    class Meta:
        model = ReviewPolicy
        fields = ["due_day", "updated_at"]
        read_only_fields = ["updated_at"]


class ChecklistSerializer(serializers.ModelSerializer):
    """A version of the agency's checklist."""

    version = serializers.IntegerField(source="number", read_only=True)
    items = serializers.SerializerMethodField(help_text=_(
        "Each item's code, its text in English (en) and Chinese (zh-hans), whether it is required, and its text in "
        "the caller's language (text)."))
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_(
        "When the version was written; null for the defaults, before the agency's first cycle writes them."))

    class Meta:
        model = ChecklistVersion
        fields = ["version", "items", "created_by", "created_at"]
        read_only_fields = fields

    def get_created_by(self, version) -> str | None:
        return _person(version.created_by)

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "en": {"type": "string"}, "zh-hans": {"type": "string"},
        "required": {"type": "boolean"}, "text": {"type": "string"}}}})
    def get_items(self, version):
        language = get_language()
        return [{**item, "text": checklist.item_text(item, language)} for item in version.items]


@extend_schema_field({"type": "array", "items": {
    "type": "object", "required": ["code", "en", "zh-hans"],
    "properties": {"code": {"type": "string"}, "en": {"type": "string"}, "zh-hans": {"type": "string"},
                   "required": {"type": "boolean"}}}})
class ChecklistItemsField(serializers.Field):
    """A checklist's items, handed to ``services.checklist_revise`` as sent: ``checklist.check_items`` names each
    problem of the list (codes and texts: no reference to any row)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class ChecklistWriteSerializer(serializers.Serializer):
    """A new version of the checklist: its whole list of items."""

    items = ChecklistItemsField(help_text=_(
        "[{\"code\", \"en\", \"zh-hans\", \"required\"}]: each item's stable code (lower-case letters, digits and "
        "underscores), its text in English and in Chinese, and whether it must be answered before submission."))
