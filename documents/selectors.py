"""Reads of the appeal-document library, each with the agency as an explicit keyword argument.

Who sees a document: the people who see one of the stores it serves (``accounts.selectors.visible_rows`` through
``AppealDocument.store_path``): an operator, the documents of their stores; everyone else of the agency, all.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Prefetch, Q

from accounts.selectors import visible_rows, visible_stores

from . import freshness, types
from .models import AppealDocument, DocumentLink, DocumentPolicy, DocumentStore, DocumentType, DocumentVersion


def document_policy(*, agency):
    """The agency's document numbers and appeal kit: its row, or an unsaved row with the defaults."""
    return DocumentPolicy.objects.filter(agency=agency).first() or DocumentPolicy(agency=agency)


@dataclass(frozen=True)
class TypeCatalogue:
    """The document types of an agency (the built-in ones, then its own) and how to judge a paper's freshness."""

    kinds: dict
    policy: DocumentPolicy
    today: object

    def kind(self, code):
        """The type with ``code``; an unknown code (a type the agency removed) counts as ``other``."""
        return self.kinds.get(code) or types.BY_CODE[types.OTHER]

    def label(self, code):
        return self.kind(code).label

    def choices(self):
        return [(code, kind.label) for code, kind in self.kinds.items()]

    def freshness(self, document):
        """``document``'s ``freshness.Freshness`` today."""
        kind = self.kind(document.type_code)
        return freshness.document_freshness(
            rule=kind.rule, issued_on=document.issued_on, expires_on=document.expires_on,
            max_age_days=self.policy.max_age_days(kind), today=self.today,
            expiring_within_days=self.policy.expiring_within_days)


def document_types(*, agency):
    """Every document type of the agency, built-in first, by code (``{code: types.DocumentType}``): one query."""
    kinds = {kind.code: kind for kind in types.BUILT_IN}
    for own in DocumentType.objects.filter(agency=agency).order_by("name"):
        kinds.setdefault(own.code, own.as_type())
    return kinds


def type_catalogue(*, agency, today=None):
    """The agency's ``TypeCatalogue`` (two queries): its types, its policy and its day."""
    return TypeCatalogue(kinds=document_types(agency=agency), policy=document_policy(agency=agency),
                         today=today or agency.today())


def _current_versions():
    return Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"), to_attr="versions_newest_first")


def document_list(*, agency, caller, trash=False):
    """The documents ``caller`` sees (those in the trash with ``trash=True``), with their client, stores and versions
    loaded, most recently changed first."""
    documents = (AppealDocument.objects.filter(agency=agency, deleted_at__isnull=not trash)
                 .select_related("client").prefetch_related("stores", _current_versions()))
    return visible_rows(documents, caller=caller)


def visible_documents(*, agency, caller, trash=None):
    """The documents ``caller`` sees, in and out of the trash (``trash=None``), without anything loaded: for
    lookups of one document by id."""
    documents = AppealDocument.objects.filter(agency=agency)
    if trash is not None:
        documents = documents.filter(deleted_at__isnull=not trash)
    return visible_rows(documents, caller=caller)


def document_versions(*, agency, document):
    """``document``'s versions, newest first."""
    return DocumentVersion.objects.filter(agency=agency, document=document).select_related(
        "uploaded_by", "duplicate_of__document").order_by("-number")


def current_version(*, agency, document):
    return DocumentVersion.objects.filter(agency=agency, document=document).order_by("-number").first()


def next_version_number(*, agency, document):
    highest = DocumentVersion.objects.filter(agency=agency, document=document).aggregate(Max("number"))
    return (highest["number__max"] or 0) + 1


def same_file(*, agency, client, sha256):
    """An earlier version, of any document of ``client`` (in the trash too), with the bytes of ``sha256``;
    ``None``."""
    return (DocumentVersion.objects.filter(agency=agency, sha256=sha256, document__client=client)
            .select_related("document").order_by("pk").first())


def appeal_kits(*, agency, store_ids, catalogue=None):
    """``{store id: freshness.AppealKit}`` of ``store_ids`` by the agency's kit: two queries for the policy and the
    types (unless a ``catalogue`` is given), one for the documents, whatever the number of stores."""
    catalogue = catalogue or type_catalogue(agency=agency)
    required = [code for code in catalogue.policy.appeal_kit if code in catalogue.kinds]
    served = {store_id: [] for store_id in store_ids}
    links = (DocumentStore.objects.filter(agency=agency, store_id__in=list(served), document__deleted_at__isnull=True,
                                          document__type_code__in=required)
             .select_related("document"))
    for link in links:
        document = link.document
        served[link.store_id].append((document.type_code, document, catalogue.freshness(document)))
    return {store_id: freshness.appeal_kit(required=required, documents=documents)
            for store_id, documents in served.items()}


def appeal_kit(*, agency, store, catalogue=None):
    """``store``'s ``freshness.AppealKit``."""
    return appeal_kits(agency=agency, store_ids=[store.pk], catalogue=catalogue)[store.pk]


@dataclass(frozen=True)
class DocumentNeedingAttention:
    document: AppealDocument
    freshness: freshness.Freshness


def documents_needing_attention(*, agency, caller, catalogue=None, limit=None):
    """The documents ``caller`` sees that are expired, stale or expiring soon, worst and soonest first, each with
    its ``Freshness``. Reads the documents that carry a date, or whose type ages by issue date, and judges them by
    the rules (the rules, not SQL, say when a paper ages)."""
    catalogue = catalogue or type_catalogue(agency=agency, today=None)
    documents = visible_rows(
        AppealDocument.objects.filter(agency=agency, deleted_at__isnull=True).select_related("client"),
        caller=caller)
    # A paper with no date at all is valid for good, unless its type ages by issue date (then it is stale): only
    # those are skipped unread.
    ageing = [code for code, kind in catalogue.kinds.items() if kind.rule == types.FreshnessRule.ISSUED_WITHIN]
    undated = Q(issued_on__isnull=True, expires_on__isnull=True) & ~Q(type_code__in=ageing)
    found = []
    for document in documents.exclude(undated).iterator(chunk_size=2000):
        judged = catalogue.freshness(document)
        if judged.state != freshness.State.VALID:
            found.append(DocumentNeedingAttention(document, judged))
    found.sort(key=lambda item: (-freshness.STATE_RANK[item.freshness.state],
                                 item.freshness.good_until or item.document.created_at.date()))
    return found[:limit] if limit is not None else found


def documents_linked_to(*, agency, caller, target):
    """The documents attached to ``target`` (a model instance of the agency: a case, a chat) that ``caller`` sees,
    not in the trash, in the order they were attached."""
    links = DocumentLink.objects.filter(agency=agency, target_type=ContentType.objects.get_for_model(target),
                                        target_id=target.pk)
    order = list(links.order_by("pk").values_list("document_id", flat=True))
    documents = visible_rows(AppealDocument.objects.filter(agency=agency, deleted_at__isnull=True), caller=caller)
    found = {document.pk: document for document in documents.filter(pk__in=order).select_related("client")}
    return [found[pk] for pk in order if pk in found]


def stores_of_client(*, agency, caller, client):
    """The stores of ``client`` that ``caller`` sees (those a document of the client may serve)."""
    return visible_stores(agency=agency, caller=caller).filter(client=client)


def duplicates_seen(*, agency, caller, versions):
    """``{version id: the earlier version with the same bytes}`` for those of ``versions`` that repeat a file whose
    document ``caller`` sees: one query, however many versions. A repeat of a document beyond the caller is left
    out, so that no page names a document its reader may not see."""
    earlier = {version.pk: version.duplicate_of for version in versions if version.duplicate_of_id is not None}
    if not earlier:
        return {}
    seen = set(visible_documents(agency=agency, caller=caller).filter(
        pk__in={version.document_id for version in earlier.values()}).values_list("pk", flat=True))
    return {pk: version for pk, version in earlier.items() if version.document_id in seen}


def stores_missing_kit_papers(*, agency, caller, catalogue=None):
    """How many of the stores ``caller`` sees lack a document (in the library, of any freshness) of at least one type
    of the agency's appeal kit: one query."""
    catalogue = catalogue or type_catalogue(agency=agency)
    required = [code for code in catalogue.policy.appeal_kit if code in catalogue.kinds]
    if not required:
        return 0
    present = Count("documents__type_code", distinct=True,
                    filter=Q(documents__deleted_at__isnull=True, documents__type_code__in=required))
    return (visible_stores(agency=agency, caller=caller).annotate(kit_types_present=present)
            .filter(kit_types_present__lt=len(required)).count())
