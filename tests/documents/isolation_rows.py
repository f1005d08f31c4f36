"""The document library's rows for the isolation suite (see ``tests/isolation/rows.py``): documents and what hangs
off them serve a store (operators see only those of their stores); the policy and the agency's own types are the
agency's."""

from django.contrib.contenttypes.models import ContentType
from django_scopes import scopes_disabled

from documents import services
from documents.models import (
    AppealDocument,
    DocumentEvent,
    DocumentLink,
    DocumentPolicy,
    DocumentStore,
    DocumentType,
    DocumentVersion,
)
from tests.documents.factories import make_document
from tests.isolation.rows import TenantRows


def _document(persona, store):
    """The agency's document serving only ``store`` (the same one each time it is asked for)."""
    title = f"Licence of {store.name}"
    with scopes_disabled():
        found = AppealDocument.objects.filter(agency=persona.agency, title=title).first()
    return found or make_document(persona, store=store, title=title)


def _first(model, **lookup):
    with scopes_disabled():
        return model.objects.filter(**lookup).order_by("pk").first()


def _link(persona, store):
    document = _document(persona, store)
    with scopes_disabled():
        target = store  # any record of the agency; the cases app attaches cases and chats
        return DocumentLink.objects.filter(document=document).first() or DocumentLink.objects.create(
            agency=persona.agency, document=document, target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk)


def _policy(persona):
    with scopes_disabled():
        return services.document_policy_ensure(agency=persona.agency)


def _own_type(persona):
    code = f"customs_{persona.agency.slug.replace('-', '_')}"[:40]
    with scopes_disabled():
        return DocumentType.objects.filter(agency=persona.agency, code=code).first() or DocumentType.objects.create(
            agency=persona.agency, code=code, name=f"Customs papers of {persona.agency.name}")


def _each(model, *, by):
    """``TenantRows`` of a model that hangs off a document, through ``by`` (the lookup to the document)."""
    return TenantRows(
        row=lambda persona: _first(model, **{by: _document(persona, persona.assigned_store)}),
        beyond_operator=lambda persona: _first(model, **{by: _document(persona, persona.other_store)}),
    )


TENANT_ROWS = {
    AppealDocument: TenantRows(row=lambda persona: _document(persona, persona.assigned_store),
                               beyond_operator=lambda persona: _document(persona, persona.other_store)),
    DocumentStore: TenantRows(
        row=lambda persona: _first(DocumentStore, document=_document(persona, persona.assigned_store)),
        beyond_operator=lambda persona: _first(DocumentStore, document=_document(persona, persona.other_store)),
        served_through="the stores a document serves are shown and changed on the document's own pages and API"),
    DocumentVersion: _each(DocumentVersion, by="document"),
    DocumentEvent: _each(DocumentEvent, by="document"),
    DocumentLink: TenantRows(row=lambda persona: _link(persona, persona.assigned_store),
                             beyond_operator=lambda persona: _link(persona, persona.other_store),
                             served_through="an attachment is read through the record it is attached to (the "
                                            "cases app's cases and chats) and its document"),
    DocumentPolicy: TenantRows(row=_policy),
    DocumentType: TenantRows(row=_own_type),
}

# API routes without an object id whose view serves no model's rows as a list, by URL name, with the reason. Both are
# proven here to show agency B nothing of agency A; tests/documents/test_api_isolation.py proves more of each.
MODELLESS_API_ROUTES = {
    "api:document-trash": "the trash lists the agency's deleted documents, which the registered document is not",
    "api:document-policy": "the agency's one document policy, read and changed as a whole, not a list of rows",
}
