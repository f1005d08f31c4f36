"""The agency's document types and document policy over the API.

* ``GET|POST /api/v1/document-types/``: the built-in types and the agency's own, each with its freshness rule and
  days; adding a type (managers);
* ``GET|PATCH /api/v1/documents/policy/``: the freshness numbers, the days of the trash and the appeal kit
  (reading: members; changing: managers).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tenancy import caller_of

from .. import selectors, services, types
from ..models import DocumentType
from .access import LibraryViewMixin, ManagesLibrary
from .serializers import DocumentPolicySerializer, DocumentTypeSerializer


def _built_in_row(kind, policy):
    return {"id": None, "code": kind.code, "name": str(kind.label), "rule": kind.rule,
            "max_age_days": policy.max_age_days(kind), "built_in": True}


def _own_row(own):
    return {"id": own.pk, "code": own.code, "name": own.name, "rule": own.rule, "max_age_days": own.max_age_days,
            "built_in": False}


class DocumentTypeListView(LibraryViewMixin, generics.ListCreateAPIView):
    """The document types of the agency: the built-in ones first (their id is null), then the agency's own, each
    with its freshness rule and, for a type that goes stale after its issue date, the days it stays fresh (the
    built-in ones' from the agency's policy)."""

    queryset = DocumentType.objects.none()
    serializer_class = DocumentTypeSerializer
    permission_classes = [ManagesLibrary]
    pagination_class = None

    def get_rows(self):
        return DocumentType.objects.filter(agency=self.agency).order_by("name")

    @extend_schema(summary=_("List document types"))
    def get(self, request, *args, **kwargs):
        policy = self.catalogue.policy
        rows = [_built_in_row(kind, policy) for kind in types.BUILT_IN]
        rows += [_own_row(own) for own in self.get_queryset()]
        return Response(DocumentTypeSerializer(rows, many=True).data)

    @extend_schema(summary=_("Add a document type"))
    def post(self, request, *args, **kwargs):
        """Add a type of the agency's own (managers and read-write keys): a code (2 to 40 lower-case letters, digits
        and underscores) that no built-in type or other type of the agency has, a name, its freshness rule and,
        for a type that goes stale after its issue date, the days it stays fresh."""
        serializer = DocumentTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        own = services.document_type_create(agency=self.agency, **serializer.validated_data)
        return Response(DocumentTypeSerializer(_own_row(own)).data, status=status.HTTP_201_CREATED)


def _policy_row(policy):
    return {name: getattr(policy, name) for name in (*services.POLICY_NUMBERS, "appeal_kit", "updated_at")}


class DocumentPolicyView(APIView):
    """The agency's document policy: how many days ahead an expiry is announced, how long an address proof, a
    supplier invoice and a card statement stay fresh after their issue date, how long a deleted document stays in
    the trash, and the appeal kit (the types every store must have ready and fresh)."""

    permission_classes = [ManagesLibrary]

    @extend_schema(summary=_("Read the document policy"), responses=DocumentPolicySerializer)
    def get(self, request):
        policy = selectors.document_policy(agency=caller_of(request).agency)
        return Response(DocumentPolicySerializer(_policy_row(policy)).data)

    @extend_schema(summary=_("Change the document policy"), request=DocumentPolicySerializer,
                   responses=DocumentPolicySerializer)
    def patch(self, request):
        """Change any of the policy's numbers and the appeal kit (managers and read-write keys). A value that is
        refused is a 400 naming the field and the value, and nothing is changed."""
        serializer = DocumentPolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.document_policy_update(agency=caller_of(request).agency, **serializer.validated_data)
        return Response(DocumentPolicySerializer(_policy_row(policy)).data)


urlpatterns = [
    path("documents/policy/", DocumentPolicyView.as_view(), name="document-policy"),
    path("document-types/", DocumentTypeListView.as_view(), name="document-type-list"),
]
