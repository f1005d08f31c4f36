"""What the library's API reads and writes: documents with their stores, type, freshness and current version; their
versions and trail; the trash; the agency's document types, policy and each store's appeal kit.

A document's type label and freshness come from the agency's ``selectors.TypeCatalogue`` that the view puts in the
context (``catalogue``), read once per request; the rules are ``documents.freshness``'s, never re-done here.
Writes go through ``documents.services``: these serializers check the shape of what is sent (types, lengths,
references to rows the caller sees), the services the rules.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from accounts.models import Client, Store
from accounts.platform.api.fields import AgencyRelatedField
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of

from .. import selectors, services
from ..freshness import KitState, State
from ..models import AppealDocument, DocumentEvent
from ..types import FreshnessRule

#: The most stores one document is sent with: a longer list is refused before any lookup.
MAX_STORES_PER_DOCUMENT = 50


def catalogue_of(serializer, row):
    """The ``TypeCatalogue`` of the view (``context["catalogue"]``), or that of ``row``'s agency, read once per
    serializer."""
    root = serializer.root
    catalogue = root.context.get("catalogue")
    if catalogue is None:
        catalogue = getattr(root, "_catalogue", None)
        if catalogue is None:
            catalogue = root._catalogue = selectors.type_catalogue(agency=row.agency)
    return catalogue


def seen_store_ids(serializer, row):
    """The ids of the stores the request's caller sees (``None``: all of them), read once per serializer: a
    document shows an operator only the stores of theirs it serves."""
    root = serializer.root
    if not hasattr(root, "_seen_store_ids"):
        caller = caller_of(root.context.get("request"))
        root._seen_store_ids = None
        if not caller.sees_all_stores:
            root._seen_store_ids = set(visible_stores(agency=row.agency, caller=caller).values_list("pk", flat=True))
    return root._seen_store_ids


def _stores_seen(serializer, document, representation):
    """``representation`` of ``document`` with ``stores`` and ``served_stores`` narrowed to the stores the caller
    sees."""
    seen = seen_store_ids(serializer, document)
    if seen is not None:
        for name in ("stores", "served_stores"):
            if name in representation:
                representation[name] = [store for store in representation[name]
                                        if (store["id"] if isinstance(store, dict) else store) in seen]
    return representation


def who(user, api_key):
    """A person by email address, an API key by its name; ``None`` for the product itself."""
    if user is not None:
        return user.email
    if api_key is not None:
        return api_key.name
    return None


# -- fields ------------------------------------------------------------------------------------------------------
def _split_form_values(values):
    """Values of a form field sent repeatedly (``stores=1&stores=2``) or once, separated by commas (``stores=1,2``)."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class StoreListField(serializers.ManyRelatedField):
    """The stores a document serves, by id: a JSON list, or in a form the field repeated or one value with the ids
    separated by commas. At most ``MAX_STORES_PER_DOCUMENT``."""

    default_error_messages = {"max_length": serializers.ListField.default_error_messages["max_length"]}

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if html.is_html_input(dictionary) and isinstance(value, list):
            return _split_form_values(value)
        return value

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > MAX_STORES_PER_DOCUMENT:
            self.fail("max_length", max_length=MAX_STORES_PER_DOCUMENT)
        return super().to_internal_value(data)


def store_list_field(**kwargs):
    return StoreListField(child_relation=AgencyRelatedField(Store), allow_empty=False, **kwargs)


class TagListField(serializers.ListField):
    """Tags: a JSON list of words, or in a form the field repeated or one value with the tags separated by commas.
    Their number and length are the service's rules (``services.TAGS_MAX``, ``services.TAG_MAX_LENGTH``)."""

    child = serializers.CharField(allow_blank=True)

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if html.is_html_input(dictionary) and isinstance(value, list):
            return _split_form_values(value)
        return value

    def to_internal_value(self, data):
        """The tags; a refused one is named by its place in the list, in a list of messages like every field's
        (DRF would answer a dict by index)."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            raise serializers.ValidationError([
                gettext("Tag %(number)s: %(message)s") % {"number": int(index) + 1, "message": message}
                for index, messages in error.detail.items() for message in messages]) from error


@extend_schema_field(OpenApiTypes.INT)
class PolicyNumberField(serializers.Field):
    """A number of the policy, handed to ``services.document_policy_update`` as sent: the service names the value and
    the bounds of a number it refuses."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class AppealKitField(PolicyNumberField):
    """The appeal kit, a list of type codes, handed to the service as sent (it names the code it refuses)."""


# -- documents ---------------------------------------------------------------------------------------------------
class ServedStoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    marketplace = serializers.CharField()


class FreshnessSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices)
    good_until = serializers.DateField(allow_null=True, help_text=_("The last day the paper is good; null: no end."))
    reason = serializers.CharField(help_text=_("Why the paper is in this state, in the caller's language."))


class VersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_("Versions are numbered from 1; the highest is the current one."))
    original_name = serializers.CharField(help_text=_("The file's name, cleaned of paths and control characters."))
    size = serializers.IntegerField(help_text=_("Bytes."))
    content_type = serializers.CharField(help_text=_("The type sniffed from the file's bytes."))
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField(source="created_at")
    is_duplicate = serializers.SerializerMethodField(help_text=_(
        "Whether the same bytes were already stored for the client."))

    def get_is_duplicate(self, version) -> bool:
        return version.duplicate_of_id is not None


class DocumentSerializer(serializers.Serializer):
    """A document of a client: its details, the stores it serves, its type, its freshness today and its current
    version."""

    id = serializers.IntegerField(read_only=True)
    client = AgencyRelatedField(Client, help_text=_("The client (legal entity) the document belongs to."))
    client_name = serializers.CharField(source="client.name", read_only=True)
    stores = store_list_field(help_text=_("The ids of the client's stores the document serves."))
    served_stores = ServedStoreSerializer(source="stores.all", many=True, read_only=True)
    type_code = serializers.CharField(max_length=40, help_text=_(
        "A document type of the agency (GET /api/v1/document-types/)."))
    type_label = serializers.SerializerMethodField()
    title = serializers.CharField(max_length=200, allow_blank=True)  # a blank one is the service's to refuse
    issued_on = serializers.DateField(required=False, allow_null=True, help_text=_(
        "Needed for a type that goes stale after its issue date (an address proof, an invoice)."))
    expires_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True,
                                  max_length=AppealDocument._meta.get_field("notes").max_length)
    tags = TagListField(required=False, help_text=_("Words to find the document by."))
    freshness = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.CharField())
    def get_type_label(self, document):
        return str(catalogue_of(self, document).label(document.type_code))

    @extend_schema_field(FreshnessSerializer)
    def get_freshness(self, document):
        judged = catalogue_of(self, document).freshness(document)
        return {"state": judged.state, "good_until": judged.good_until, "reason": str(judged.reason)}

    def to_representation(self, document):
        return _stores_seen(self, document, super().to_representation(document))

    def _versions(self, document):
        versions = getattr(document, "versions_newest_first", None)
        if versions is None:
            versions = document.versions_newest_first = list(document.versions.order_by("-number"))
        return versions

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_current_version(self, document):
        versions = self._versions(document)
        return VersionSummarySerializer(versions[0]).data if versions else None

    def get_version_count(self, document) -> int:
        return len(self._versions(document))


class DuplicateSerializer(serializers.Serializer):
    """The earlier file of the client with the same bytes (its document and version when the caller sees it)."""

    document = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text=_("The earlier file's version number."))
    message = serializers.CharField()


class DocumentUploadSerializer(DocumentSerializer):
    """A new document with its first file: a multipart form of the file and the details."""

    file = serializers.FileField(write_only=True, allow_empty_file=True, use_url=False, help_text=_(
        "PDF, PNG, JPEG, WEBP, DOCX or XLSX, sniffed from its bytes; at most DOCUMENTS_MAX_UPLOAD_BYTES."))
    duplicate_of = DuplicateSerializer(read_only=True, allow_null=True, help_text=_(
        "A warning: the same bytes were already stored for this client."))


# -- versions and the trail --------------------------------------------------------------------------------------
class VersionSerializer(VersionSummarySerializer):
    uploaded_by = serializers.SerializerMethodField(help_text=_("The person's email, or the API key's name."))
    duplicate_of = DuplicateSerializer(read_only=True, allow_null=True, source="duplicate_warning")
    download_url = serializers.SerializerMethodField()

    def get_uploaded_by(self, version) -> str | None:
        return who(version.uploaded_by, version.uploaded_by_key)

    def get_download_url(self, version) -> str:
        return self.context["download_url"](version)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(write_only=True, allow_empty_file=True, use_url=False, help_text=_(
        "PDF, PNG, JPEG, WEBP, DOCX or XLSX, sniffed from its bytes; at most DOCUMENTS_MAX_UPLOAD_BYTES."))


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=DocumentEvent.Action.choices)
    action_label = serializers.CharField(source="get_action_display")
    by = serializers.SerializerMethodField(help_text=_("The person's email, or the API key's name; null: the product "
                                                       "itself."))
    version = serializers.SerializerMethodField(help_text=_("The number of the version concerned."))
    at = serializers.DateTimeField()
    detail = serializers.CharField()

    def get_by(self, event) -> str | None:
        return who(event.actor, event.api_key)

    def get_version(self, event) -> int | None:
        return event.version.number if event.version is not None else None


# -- the trash ---------------------------------------------------------------------------------------------------
class RestoreStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    in_trash = serializers.BooleanField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted_by = serializers.SerializerMethodField()
    restorable_until = serializers.SerializerMethodField(help_text=_(
        "Until when a manager can restore it; then it is removed for good."))

    def get_deleted_by(self, document) -> str | None:
        return document.deleted_by.email if document.deleted_by is not None else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_restorable_until(self, document):
        if not document.in_trash:
            return None
        policy = catalogue_of(self, document).policy
        until = services.restorable_until(agency=policy.agency, document=document, policy=policy)
        return serializers.DateTimeField().to_representation(until)


class TrashedDocumentSerializer(RestoreStateSerializer):
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    type_code = serializers.CharField()
    type_label = serializers.SerializerMethodField()
    served_stores = ServedStoreSerializer(source="stores.all", many=True)

    @extend_schema_field(serializers.CharField())
    def get_type_label(self, document):
        return str(catalogue_of(self, document).label(document.type_code))

    def to_representation(self, document):
        return _stores_seen(self, document, super().to_representation(document))


# -- types, policy, appeal kit -----------------------------------------------------------------------------------
class DocumentTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("null for a built-in type."))
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    rule = serializers.ChoiceField(choices=FreshnessRule.choices, default=FreshnessRule.NONE)
    max_age_days = serializers.IntegerField(required=False, allow_null=True, help_text=_(
        "For a type that goes stale after its issue date: how many days it stays fresh."))
    built_in = serializers.BooleanField(read_only=True)


class DocumentPolicySerializer(serializers.Serializer):
    expiring_within_days = PolicyNumberField(required=False, help_text=_(
        "A document is “expiring soon” when the last day it is good is this many days away or fewer."))
    address_proof_max_age_days = PolicyNumberField(required=False, help_text=_(
        "An address proof (utility bill) is stale this many days after it was issued."))
    invoice_max_age_days = PolicyNumberField(required=False, help_text=_(
        "A supplier invoice is stale this many days after it was issued."))
    card_statement_max_age_days = PolicyNumberField(required=False, help_text=_(
        "A credit-card statement is stale this many days after it was issued."))
    trash_days = PolicyNumberField(required=False, help_text=_(
        "A deleted document can be restored for this many days; then it is removed for good."))
    appeal_kit = AppealKitField(required=False, help_text=_(
        "The document types every store must have ready and fresh for an appeal."))
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class KitDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    good_until = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class KitItemSerializer(serializers.Serializer):
    type_code = serializers.CharField()
    type_label = serializers.CharField()
    state = serializers.ChoiceField(choices=KitState.choices)
    document = KitDocumentSerializer(allow_null=True, help_text=_(
        "The freshest document of the type that serves the store; null when there is none."))


class AppealKitSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    ready = serializers.BooleanField(help_text=_("Whether every type of the kit is ready (expiring soon counts)."))
    missing = serializers.ListField(child=serializers.CharField(), help_text=_("Types with no document."))
    stale = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Types whose freshest document is stale or expired."))
    expiring = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Types whose freshest document is expiring soon."))
    items = KitItemSerializer(many=True)


def appeal_kit_data(*, store, kit, catalogue):
    """The representation of ``kit`` (a ``freshness.AppealKit``) of ``store``, for ``AppealKitSerializer``."""
    items = []
    for item in kit.items:
        document = None
        if item.document is not None:
            document = {"id": item.document.pk, "title": item.document.title,
                        "good_until": item.freshness.good_until, "reason": str(item.freshness.reason)}
        items.append({"type_code": item.type_code, "type_label": str(catalogue.label(item.type_code)),
                      "state": item.state, "document": document})
    return {"store": store.pk, "ready": kit.is_ready, "missing": kit.missing, "stale": kit.stale,
            "expiring": kit.expiring, "items": items}
