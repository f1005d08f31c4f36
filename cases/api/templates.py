"""The template library, the agency's case categories and its case and chat policy over the API.

* ``GET|POST /api/v1/message-templates/?category=&language=&active=``
* ``GET|PATCH /api/v1/message-templates/{id}/``: a change of a part writes a new version
* ``GET /api/v1/message-templates/{id}/versions/``
* ``GET|POST /api/v1/message-templates/{id}/render/``: the placeholders it needs; filling it in with ``{case}`` or
  ``{store, values}``
* ``GET|POST /api/v1/case-categories/``: the built-in categories and the agency's own
* ``GET|PUT|PATCH /api/v1/case-policy/``

Everyone of the agency reads the library, the categories and the policy; writing them needs ``MANAGE_CASES``;
rendering (a message for a case) needs ``WORK_ON_CASES``. A template is looked up among the agency's before any
power is asked: another agency's id, or a word in the id's place, is a 404. A case or store to render with is one
the caller sees: any other id is an error on its field.
"""

import django_filters
from django.http import Http404
from django.urls import path, re_path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from ..models import CaseCategory, MessageTemplate
from ..powers import MANAGE_CASES, WORK_ON_CASES
from ..selectors import templates as selectors
from ..services import templates as services
from .template_serializers import (
    CaseCategorySerializer,
    CasePolicySerializer,
    MessageTemplateSerializer,
    MessageTemplateVersionSerializer,
    MessageTemplateWriteSerializer,
    RenderedSerializer,
    RenderNeedsSerializer,
    RenderRequestSerializer,
)


class ManagesCases(IsAgencyMember):
    """Members and keys read; writes need ``MANAGE_CASES`` (on one template: once it was found)."""

    power = MANAGE_CASES


class WorksOnCases(IsAgencyMember):
    """Members and keys read; rendering needs ``WORK_ON_CASES`` (once the template was found)."""

    power = WORK_ON_CASES


class TemplateFilter(django_filters.FilterSet):
    """``?category=&language=&active=``: a value the list does not take is a 400 naming the parameter."""

    category = django_filters.CharFilter(field_name="category", label=_("category"))
    language = django_filters.ChoiceFilter(choices=MessageTemplate.Language.choices, label=_("language"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("in use"))

    class Meta:
        model = MessageTemplate
        fields = ["category", "language", "active"]


class TemplateViewMixin(TenantViewMixin):
    """A view of the agency's template library; views that serve one template name it ``pk`` in their route."""

    queryset = MessageTemplate.objects.none()
    permission_classes = [ManagesCases]
    filter_backends = []
    lookup_field = "pk"  # tells the permissions that writes wait until the template was found

    def get_rows(self):
        return selectors.template_list(agency=self.agency)

    @cached_property
    def categories(self):
        return selectors.case_categories(agency=self.agency) if self.agency is not None else {}

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["categories"] = self.categories
        return context

    def find_template(self):
        """The template of the route among the agency's, with the caller's object permissions checked; else a
        404."""
        template_id = object_id_or_none(self.kwargs.get("pk"))
        if template_id is None or self.agency is None:
            raise Http404
        template = self.get_rows().filter(pk=template_id).first()
        if template is None:
            raise Http404
        self.check_object_permissions(self.request, template)
        return template


class MessageTemplateListView(TemplateViewMixin, generics.ListCreateAPIView):
    """The agency's message templates (category, language, name), each with its current version's four parts and
    its number, how often it was used and whether it is in use.

    Filters: ``category`` (a category code), ``language`` (``en`` or ``zh-hans``), ``active`` (true: in use)."""

    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = TemplateFilter
    search_fields = ["name"]
    ordering_fields = ["name", "category", "language", "use_count", "updated_at"]
    ordering = ["category", "language", "name", "pk"]

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return MessageTemplateWriteSerializer
        return MessageTemplateSerializer

    @extend_schema(summary=_("List message templates"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=_("Add a message template"), request=MessageTemplateWriteSerializer,
                   responses={201: MessageTemplateSerializer})
    def post(self, request, *args, **kwargs):
        """Add a template with its four parts (version 1), managers and read-write keys. Each part may use the
        placeholders ``{store}``, ``{marketplace}``, ``{seller_id}``, ``{case_id}``, ``{asin}``, ``{asins}``,
        ``{category}``, ``{expected_result}``, ``{operator}``, ``{today}``; an unknown one, a lone brace or a blank
        part is a 400 on that part."""
        serializer = MessageTemplateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        active = values.pop("is_active", True)
        template = services.template_create(agency=self.agency, caller=self.caller, **values)
        if not active:
            services.template_retire(agency=self.agency, caller=self.caller, template=template)
        return Response(MessageTemplateSerializer(template, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class MessageTemplateDetailView(TemplateViewMixin, generics.GenericAPIView):
    """One template of the library with its current version."""

    serializer_class = MessageTemplateSerializer
    http_method_names = ["get", "patch", "options"]

    @extend_schema(summary=_("Read a message template"))
    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.find_template()).data)

    @extend_schema(summary=_("Change a message template"), request=MessageTemplateWriteSerializer(partial=True))
    def patch(self, request, *args, **kwargs):
        """Change the name, category, language or any of the four parts (managers and read-write keys). Parts that
        differ from the current version's write the next version; the earlier ones are kept. ``is_active`` false
        retires the template, true puts it back in use."""
        template = self.find_template()
        serializer = MessageTemplateWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        active = changes.pop("is_active", None)
        if changes:
            template = services.template_revise(agency=self.agency, caller=self.caller, template=template,
                                                **changes)
        if active is False:
            services.template_retire(agency=self.agency, caller=self.caller, template=template)
        elif active is True:
            services.template_restore(agency=self.agency, caller=self.caller, template=template)
        return Response(self.get_serializer(self.get_rows().get(pk=template.pk)).data)


class MessageTemplateVersionListView(TemplateViewMixin, generics.ListAPIView):
    """Every version of a template, newest first: its four parts, how often it was used, who wrote it and when."""

    serializer_class = MessageTemplateVersionSerializer

    def list(self, request, *args, **kwargs):
        versions = selectors.template_versions(agency=self.agency, template=self.find_template())
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary=_("List a message template's versions"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MessageTemplateRenderView(TemplateViewMixin, generics.GenericAPIView):
    """A template's current version filled in for a case (or a store), with the tone checker's warnings. Nothing is
    sent or counted: the use is counted when the message is logged with the version."""

    permission_classes = [WorksOnCases]
    serializer_class = RenderRequestSerializer

    @extend_schema(summary=_("Read what filling in a message template needs"), responses=RenderNeedsSerializer)
    def get(self, request, *args, **kwargs):
        """The current version of the template and the placeholders it uses, each with what fills it in: what a
        case (or the ``values`` given with a store) must have for the template to be filled in."""
        template = self.find_template()
        version = selectors.current_version(template)
        return Response(RenderNeedsSerializer({"template": template.pk, "version": version}).data)

    @extend_schema(summary=_("Fill in a message template"), request=RenderRequestSerializer,
                   responses=RenderedSerializer)
    def post(self, request, *args, **kwargs):
        """Fill the template in from ``case`` (a case the caller sees), or from ``store`` and ``values``
        (placeholder → text). A part that cannot be filled in (the case has no case id yet, no ASIN) or would be
        empty is a 400 on that part, naming what is missing."""
        template = self.find_template()
        serializer = RenderRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        rendered = services.template_render(agency=self.agency, caller=self.caller, template=template,
                                            **serializer.validated_data)
        return Response(RenderedSerializer(rendered).data)


def _built_in_row(category):
    return {"id": None, "code": category.code, "name": str(category.label), "built_in": True}


def _own_row(own):
    return {"id": own.pk, "code": own.code, "name": own.name, "built_in": False}


class CaseCategoryListView(TenantViewMixin, generics.ListCreateAPIView):
    """The case categories of the agency: the built-in ones first (their id is null), then the agency's own by
    name."""

    queryset = CaseCategory.objects.none()
    serializer_class = CaseCategorySerializer
    permission_classes = [ManagesCases]
    filter_backends = []
    pagination_class = None

    def get_rows(self):
        return CaseCategory.objects.filter(agency=self.agency).order_by("name", "pk")

    @extend_schema(summary=_("List case categories"))
    def get(self, request, *args, **kwargs):
        rows = [_built_in_row(category) for category in selectors.case_categories(agency=self.agency).values()
                if category.built_in]
        rows += [_own_row(own) for own in self.get_queryset()]
        return Response(CaseCategorySerializer(rows, many=True).data)

    @extend_schema(summary=_("Add a case category"))
    def post(self, request, *args, **kwargs):
        """Add a category of the agency's own (managers and read-write keys): a code (2 to 40 lower-case letters,
        digits and underscores) that no built-in category or other category of the agency has, and a name."""
        serializer = CaseCategorySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        own = services.case_category_create(agency=self.agency, caller=self.caller, **serializer.validated_data)
        return Response(CaseCategorySerializer(_own_row(own)).data, status=status.HTTP_201_CREATED)


def _policy_row(policy):
    return {name: getattr(policy, name) for name in (*services.POLICY_NUMBERS, "updated_at")}


class CasePolicyView(APIView):
    """The agency's case and chat policy: who may chat (store age, Account Health Rating and its window, days
    after a major violation or a bulk deletion), how many chats a store may request a day, how many invalid
    inquiries in a row freeze the channel and for how long, and after how many hours a case waiting for Amazon is
    flagged. Until a manager changes it, the defaults of the seed article."""

    permission_classes = [ManagesCases]

    @extend_schema(summary=_("Read the case and chat policy"), responses=CasePolicySerializer)
    def get(self, request):
        policy = selectors.policy_of(agency=caller_of(request).agency)
        return Response(CasePolicySerializer(_policy_row(policy)).data)

    @extend_schema(summary=_("Change the case and chat policy"), request=CasePolicySerializer,
                   responses=CasePolicySerializer)
    def put(self, request):
        """Change any of the policy's numbers (managers and read-write keys; a number not sent stays). A value
        that is refused is a 400 naming the field and the value, and nothing is changed."""
        serializer = CasePolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        caller = caller_of(request)
        policy = services.case_policy_set(agency=caller.agency, caller=caller, **serializer.validated_data)
        return Response(CasePolicySerializer(_policy_row(policy)).data)

    @extend_schema(summary=_("Change some numbers of the case and chat policy"), request=CasePolicySerializer,
                   responses=CasePolicySerializer)
    def patch(self, request):
        return self.put(request)


# Any word in the id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    path("message-templates/", MessageTemplateListView.as_view(), name="message-template-list"),
    re_path(r"^message-templates/(?P<pk>[^/.]+)/$", MessageTemplateDetailView.as_view(),
            name="message-template-detail"),
    re_path(r"^message-templates/(?P<pk>[^/.]+)/versions/$", MessageTemplateVersionListView.as_view(),
            name="message-template-versions"),
    re_path(r"^message-templates/(?P<pk>[^/.]+)/render/$", MessageTemplateRenderView.as_view(),
            name="message-template-render"),
    path("case-categories/", CaseCategoryListView.as_view(), name="case-category-list"),
    path("case-policy/", CasePolicyView.as_view(), name="case-policy"),
]
