"""Inside one agency, an operator cannot write into a store that is not theirs: on every writable API route and
every admin form (found by the walkers), a reference to a row beyond the operator's stores is refused on that
field and nothing is written, exactly as for a row that does not exist.

An operator writes into their own stores only what ``accounts.rules.store_fields_writable`` gives them (a store's
notes and status), so each real case (a store's ``client``, say) must refuse them outright or on the field; the
choices they would be offered are checked too.
This module doubles as a URLconf (``urlpatterns`` below) that adds an operator-writable API route and admin
over a store's rows, standing for what the domain apps add (an operator logs a case of a store), to prove that
such a route is found and narrowed by the one visibility rule.
"""

import pytest
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import include, path
from django_scopes import scope, scopes_disabled
from rest_framework import generics, serializers

from accounts.models import Membership, Store, StoreAssignment
from accounts.platform.admin_site import AgencyAdminSite, TenantAdmin
from accounts.platform.api.fields import AgencyRelatedField
from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.roles import Power
from accounts.tenancy import Caller

from .addresses import admin_object_values, api_object_values
from .registry import models_narrowed_for_operators, row_beyond_operator, row_of
from .routes import admin_routes, api_routes, reference_fields

OPERATORS = ("operator", "idle_operator")


# -- the URLconf of a later app: an operator takes a store they may see --------------------------------------
class StoreTakingSerializer(serializers.ModelSerializer):
    store = AgencyRelatedField(Store)

    class Meta:
        model = StoreAssignment
        fields = ["id", "store"]


class StoreTaking(TenantViewMixin, generics.CreateAPIView):
    serializer_class = StoreTakingSerializer
    permission_classes = [IsAgencyMember]
    queryset = StoreAssignment.objects.none()

    def get_rows(self):
        return StoreAssignment.objects.filter(agency=self.agency)

    def perform_create(self, serializer):
        serializer.save(agency=self.agency, user=self.caller.user)


class OperatorWritableAssignmentAdmin(TenantAdmin):
    write_power = Power.WORK_ON_STORES
    fields = ("store", "user")


later_admin = AgencyAdminSite(name="later_admin")
later_admin.register(StoreAssignment, OperatorWritableAssignmentAdmin)

urlpatterns = [
    # Before the project's routes: the project's admin answers every other /admin/ address itself.
    path("admin/later-app/", later_admin.urls),
    path("api/v1/later/store-takings/", StoreTaking.as_view(), name="later-store-taking"),
    path("", include("config.urls")),
]


# -- the checks ----------------------------------------------------------------------------------------------
def caller_of_operator(persona, role):
    user = persona.staff[role]
    with scopes_disabled():
        return Caller.person(agency=persona.agency, user=user, role=Membership.objects.get(user=user).role)


def operator_request(persona, role):
    request = RequestFactory().get("/")
    request.user, request.caller = persona.staff[role], caller_of_operator(persona, role)
    return request


def api_write_cases(urlconf=None):
    """``(route, method, field, target model, many)`` of every writable reference to a store's rows."""
    narrowed = set(models_narrowed_for_operators())
    return [(route, method, name, target, many)
            for route in api_routes(urlconf) for method in route.methods if method in ("post", "put", "patch")
            for name, _relation, target, many in reference_fields(route.serializer_class) if target in narrowed]


def check_api_write(route, method, name, target, many, persona, api_as):
    """As each operator: the field offers no row beyond them, and a payload naming one is refused (403 for a
    route they may not write at all, 404 for a row of a route's own that they do not see, else 400 on the field)
    with nothing written. Returns the statuses."""
    beyond, own = row_beyond_operator(target, persona), row_of(target, persona)
    model = route.api_model
    statuses = []
    for role in OPERATORS:
        request = operator_request(persona, role)
        with scope(agency=persona.agency):
            field = route.serializer_class(context={"request": request}).fields[name]
            choices = set((field.child_relation if many else field).get_queryset().values_list("pk", flat=True))
        assert beyond.pk not in choices, f"{route.label} field {name!r} offers A's {role} a row beyond them"
        if role == "operator":
            assert own.pk in choices, f"{route.label} field {name!r} hides the operator's own row"

        value = [beyond.pk] if many else beyond.pk
        url = route.url({}) if not route.object_parameters else route.url(
            api_object_values(route, row_of(model, persona)))
        with scopes_disabled():
            before = model._base_manager.count()
        answer = getattr(api_as(persona.staff[role]), method)(url, {name: value}, format="json")
        where = f"{method.upper()} {url} naming a {target.__name__} beyond A's {role} in {name!r}"
        refusals = (400, 403, 404) if route.object_parameters else (400, 403)
        assert answer.status_code in refusals, f"{where}: {answer.status_code} {answer.content[:300]!r}"
        if answer.status_code == 400:
            assert name in answer.json(), f"{where}: refused, but not on {name!r}: {answer.json()}"
        with scopes_disabled():
            assert model._base_manager.count() == before, f"{where} wrote a row"
        statuses.append(answer.status_code)
    return statuses


def admin_form_routes(urlconf=None):
    """The add and change pages of every ModelAdmin (``_add`` / ``_change`` routes)."""
    return [route for route in admin_routes(urlconf) if route.model_admin is not None
            and (route.pattern.name or "").endswith(("_add", "_change"))]


def narrowed_form_fields(model_admin, request):
    """``[(name, target model)]`` of the admin form's choice fields over a store's rows."""
    narrowed = set(models_narrowed_for_operators())
    with scope(agency=request.caller.agency):
        form = model_admin.get_form(request)
    return [(name, field.queryset.model) for name, field in form.base_fields.items()
            if isinstance(field, ModelChoiceField) and field.queryset.model in narrowed]


def check_admin_form(route, persona, client_as):
    """As each operator: a form they may open offers no row beyond them, and a POST naming one creates or
    changes nothing (403 when they may not use the form at all, else the form comes back with an error on the
    field; 404 on the page of a row they do not see). Returns the statuses of the POSTs."""
    model_admin, model = route.model_admin, route.model_admin.model
    statuses = []
    for role in OPERATORS:
        client = client_as(persona.staff[role])
        url = route.url(admin_object_values(route, row_of(model, persona)) if route.object_parameters else {})
        refusals = (200, 403, 404) if route.object_parameters else (200, 403)
        for name, target in narrowed_form_fields(model_admin, operator_request(persona, role)):
            beyond = row_beyond_operator(target, persona)
            where = f"{url} naming a {target.__name__} beyond A's {role} in {name!r}"
            page = client.get(url)
            assert page.status_code in refusals, f"GET {where}: {page.status_code}"
            # A page of its own (a review's page) has no admin form: it offers no field to name a row in.
            adminform = page.context.get("adminform") if page.status_code == 200 else None
            field = adminform.form.fields.get(name) if adminform is not None else None
            if field is not None:  # a page the operator may only view shows the field read only
                assert not field.queryset.filter(pk=beyond.pk).exists(), f"GET {where}: offered"
            with scopes_disabled():
                before = [repr(row.__dict__.get(name)) for row in model._base_manager.order_by("pk")]
            answer = client.post(url, {name: beyond.pk})
            assert answer.status_code in refusals, f"POST {where}: {answer.status_code}"
            if answer.status_code == 200 and field is not None:
                assert name in answer.context["adminform"].form.errors, f"POST {where}: no error on {name!r}"
            # A field the page shows read only (a store's client, to its operator) is not read from the POST:
            # what counts is that nothing changed.
            with scopes_disabled():
                after = [repr(row.__dict__.get(name)) for row in model._base_manager.order_by("pk")]
            assert after == before, f"POST {where} wrote a row"
            statuses.append(answer.status_code)
    return statuses


API_CASES = api_write_cases()
ADMIN_FORMS = admin_form_routes()


def test_the_product_has_writable_references_to_store_rows_to_check():
    assert API_CASES, "no writable API reference to a store's rows was found, so nothing was checked"
    assert ADMIN_FORMS


def test_no_api_payload_of_an_operator_reaches_a_store_beyond_them(agency_a, api_as):
    for case in API_CASES:
        check_api_write(*case, agency_a, api_as)


def test_an_operator_naming_a_client_beyond_them_on_their_own_store_is_refused_on_the_field(agency_a, api_as):
    """Operators change their own stores (notes and status), so a store's ``client`` reaches the field check: a
    400 on ``client`` for the operator, a 404 for the idle operator, who sees no store."""
    cases = [case for case in API_CASES if case[0].name == "api:store-detail" and case[2] == "client"]
    assert sorted(case[1] for case in cases) == ["patch", "put"]
    for case in cases:
        assert check_api_write(*case, agency_a, api_as) == [400, 404]


def test_no_admin_form_of_an_operator_reaches_a_store_beyond_them(agency_a, client_as):
    for route in ADMIN_FORMS:
        check_admin_form(route, agency_a, client_as)


@pytest.mark.urls("tests.isolation.test_operator_writes")
def test_a_route_an_operator_may_write_is_found_and_refuses_a_store_beyond_them_on_the_field(agency_a, api_as,
                                                                                         client_as):
    """The later app's routes are found by the walkers; the operator is refused on the ``store`` field (not
    with a 403), while someone who sees the store (the manager) takes it."""
    cases = [case for case in api_write_cases(__name__) if case[0].name == "later-store-taking"]
    assert [(method, name, target) for _route, method, name, target, _many in cases] == [("post", "store", Store)]
    assert check_api_write(*cases[0], agency_a, api_as) == [400, 400]

    taken = api_as(agency_a.manager).post(cases[0][0].url({}), {"store": agency_a.assigned_store.pk}, format="json")
    assert taken.status_code == 201, taken.content

    pages = [route for route in admin_form_routes(__name__) if route.model_admin.admin_site is later_admin]
    assert {route.pattern.name for route in pages} == {"accounts_storeassignment_add",
                                                       "accounts_storeassignment_change"}
    add = next(route for route in pages if route.pattern.name.endswith("_add"))
    assert check_admin_form(add, agency_a, client_as) == [200, 200]
