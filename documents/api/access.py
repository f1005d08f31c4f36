"""Who may reach which document over the API, and what they may do with it.

Reading the library needs a place in the agency (a member or a key); the actions map onto the powers of
``accounts.roles``:

* ``KEEP_DOCUMENTS`` (working on stores): upload, edit and delete the documents of the stores one sees, so an
  operator keeps those of their own stores;
* ``MANAGE_LIBRARY`` (managing the portfolio): restore from the trash, add document types, set the policy.

A document is looked up among those the caller sees (``selectors.visible_documents``) before any power is asked:
another agency's id, a document of stores beyond an operator, or a word in the id's place is a 404 for everyone,
never a 403 that would confirm it exists.
"""

from django.http import Http404
from django.utils.functional import cached_property
from rest_framework import generics

from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none

from .. import selectors
from ..models import AppealDocument
from ..powers import KEEP_DOCUMENTS, MANAGE_LIBRARY


class KeepsDocuments(IsAgencyMember):
    """Members and keys read; writes need ``KEEP_DOCUMENTS`` (on one document: once it was found)."""

    power = KEEP_DOCUMENTS


class ManagesLibrary(IsAgencyMember):
    """Members and keys read; writes need ``MANAGE_LIBRARY`` (on one document: once it was found)."""

    power = MANAGE_LIBRARY


class LibraryViewMixin(TenantViewMixin):
    """A view of the library: the caller's agency, its document types and policy (``catalogue``), and the documents
    the caller sees. Views that serve one document name it ``pk`` in their route."""

    permission_classes = [KeepsDocuments]
    filter_backends = []
    lookup_field = "pk"  # tells the permissions that writes wait until the document was found

    @cached_property
    def catalogue(self):
        """The agency's ``selectors.TypeCatalogue`` (its types, policy and day), read once per request."""
        return selectors.type_catalogue(agency=self.agency)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.agency is not None and not getattr(self, "swagger_fake_view", False):
            context["catalogue"] = self.catalogue
        return context

    def find_document(self, *, trash=False, pk=None):
        """The document of the route (``pk``) among those the caller sees (in the trash with ``trash=True``, in and
        out of it with ``trash=None``), with the caller's object permissions checked; else a 404."""
        document_id = object_id_or_none(self.kwargs.get("pk") if pk is None else pk)
        if document_id is None or self.agency is None:
            raise Http404
        documents = selectors.visible_documents(agency=self.agency, caller=self.caller, trash=trash)
        document = documents.select_related("client").filter(pk=document_id).first()
        if document is None:
            raise Http404
        self.check_object_permissions(self.request, document)
        return document


class OneDocumentView(LibraryViewMixin, generics.GenericAPIView):
    """A view of one document of the library: the route's ``pk`` names it (the isolation suite reads the model
    here)."""

    queryset = AppealDocument.objects.none()

    def get_rows(self):
        return selectors.visible_documents(agency=self.agency, caller=self.caller, trash=False)
