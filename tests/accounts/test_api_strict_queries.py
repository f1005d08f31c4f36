"""Every list of the API reads its query strictly: a filter value it cannot take, or an ordering it does not offer,
is a 400 naming the parameter (never ignored, which would answer with the whole list as if it had matched), and
the schema lists the orderings each list offers.

The lists and their filters come from the URL resolver (``tests/isolation/routes.py``), so a list an app adds
later is checked too.
"""

import django_filters
import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts import extensions
from accounts.platform.api.filters import FilterBackend, OrderingFilter
from tests.factories import StoreFactory
from tests.isolation.routes import api_routes

STORES = "/api/v1/stores/"


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def list_routes():
    return [route for route in api_routes() if not route.object_parameters and "get" in route.methods
            and route.api_model is not None]


def list_view(route):
    view = route.view_class(**(getattr(route.callback, "initkwargs", None) or {}))
    view.action, view.request, view.format_kwarg, view.kwargs = "list", None, None, {}
    return view


def filterset_of(route):
    return FilterBackend().get_filterset_class(list_view(route), route.api_model.objects.none())


#: A value each kind of filter cannot take. Filters of other kinds (text) take any value.
UNREADABLE = [
    (django_filters.BooleanFilter, "maybe"),
    (django_filters.ModelChoiceFilter, "no-such-row"),
    (django_filters.ModelMultipleChoiceFilter, "no-such-row"),
    (django_filters.ChoiceFilter, "no-such-choice"),
    (django_filters.MultipleChoiceFilter, "no-such-choice"),
    (django_filters.NumberFilter, "one"),
    (django_filters.DateFilter, "2025-02-30"),
    (django_filters.DateTimeFilter, "yesterday"),
    (django_filters.TimeFilter, "25:99"),
]


def unreadable_value(list_filter):
    return next((value for kind, value in UNREADABLE if isinstance(list_filter, kind)), None)


# -- filters -------------------------------------------------------------------------------------------------

def test_a_boolean_filter_that_is_not_a_boolean_is_a_400_naming_the_filter(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(STORES, {"brand_registered": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"brand_registered": ["“maybe” is not a boolean: use true or false."]}


@pytest.mark.parametrize(("value", "registered"), [("true", True), ("True", True), ("1", True), ("false", False),
                                                  ("FALSE", False), ("0", False)])
def test_a_boolean_filter_takes_true_and_false_in_any_case_and_1_and_0(agency_a, api_as, value, registered):
    StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Brand store", brand_registered=True)
    listed = names(api_as(agency_a.rw_header).get(STORES, {"brand_registered": value}))
    expected = ["Brand store"] if registered else ["Assigned store A", "Unassigned store A"]
    assert listed == expected


def test_an_empty_boolean_filter_leaves_the_list_unfiltered(agency_a, api_as):
    assert names(api_as(agency_a.rw_header).get(STORES, {"brand_registered": ""})) == ["Assigned store A",
                                                                                       "Unassigned store A"]


def test_a_boolean_filter_an_app_contributes_is_strict_too(agency_a, api_as):
    """The backend, not the store list's FilterSet, makes yes-or-no filters strict: one that another app adds as
    a plain ``django_filters.BooleanFilter`` refuses "maybe" as well."""
    StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Brand store", brand_registered=True)
    contributed = ("registered_brand", django_filters.BooleanFilter(field_name="brand_registered"))
    with extensions.store_filters.contributed(contributed):
        api = api_as(agency_a.rw_header)
        assert names(api.get(STORES, {"registered_brand": "true"})) == ["Brand store"]
        refused = api.get(STORES, {"registered_brand": "maybe"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["registered_brand"]


def test_every_filter_of_every_list_refuses_a_value_it_cannot_take_on_the_parameter(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    checked = set()
    for route in list_routes():
        filterset = filterset_of(route)
        for name, list_filter in (filterset.base_filters.items() if filterset else ()):
            value = unreadable_value(list_filter)
            if value is None:
                continue
            answer = api.get(route.url({}), {name: value})
            where = f"GET {route.url({})}?{name}={value}"
            assert answer.status_code == 400, f"{where}: {answer.status_code} {answer.content[:300]!r}"
            assert list(answer.json()) == [name], f"{where}: {answer.json()}"
            checked.add((route.name, name))
    assert {("api:store-list", "brand_registered"), ("api:store-list", "marketplace"), ("api:store-list", "status"),
            ("api:store-list", "client")} <= checked


# -- ordering ------------------------------------------------------------------------------------------------

def test_an_unknown_ordering_is_a_400_naming_the_parameter_and_the_orderings_allowed(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(STORES, {"ordering": "secret_field"})
    assert response.status_code == 400
    assert response.json() == {"ordering": [
        "“secret_field” is not an ordering of this list; use one of: name, -name, marketplace, -marketplace, "
        "status, -status, registered_on, -registered_on, created_at, -created_at."]}


def test_one_unknown_ordering_among_known_ones_is_refused_by_name(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(STORES, {"ordering": "status,-hashed_secret,+name"})
    assert response.status_code == 400
    messages = response.json()["ordering"]
    assert [message.split("”")[0].lstrip("“") for message in messages] == ["-hashed_secret", "+name"]


def test_known_orderings_sort_the_list_ascending_and_descending(agency_a, api_as):
    StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Closed store", status="closed")
    api = api_as(agency_a.rw_header)
    assert names(api.get(STORES, {"ordering": "-name"})) == ["Unassigned store A", "Closed store",
                                                             "Assigned store A"]
    assert names(api.get(STORES, {"ordering": "-status,name"})) == ["Closed store", "Assigned store A",
                                                                    "Unassigned store A"]
    # A trailing comma asks for nothing more.
    assert names(api.get(STORES, {"ordering": "-name,"})) == ["Unassigned store A", "Closed store",
                                                              "Assigned store A"]


def test_every_list_refuses_an_unknown_ordering(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    for route in list_routes():
        if OrderingFilter not in list_view(route).filter_backends:
            continue
        answer = api.get(route.url({}), {"ordering": "secret_field"})
        assert answer.status_code == 400, f"{route.label}: {answer.status_code}"
        assert list(answer.json()) == ["ordering"], route.label


# -- the schema ----------------------------------------------------------------------------------------------

def ordering_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {path: parameter for path, operations in schema["paths"].items()
            for parameter in operations.get("get", {}).get("parameters", []) if parameter["name"] == "ordering"}


def test_the_schema_lists_the_orderings_of_the_store_list_ascending_and_descending(db):
    parameter = ordering_parameters()["/api/v1/stores/"]
    assert parameter["schema"] == {"type": "array", "items": {"type": "string", "enum": [
        "name", "-name", "marketplace", "-marketplace", "status", "-status", "registered_on", "-registered_on",
        "created_at", "-created_at"]}}
    # Several in one value, separated by commas, as the list reads them.
    assert (parameter["style"], parameter["explode"]) == ("form", False)


def test_every_list_with_an_ordering_lists_its_orderings_in_the_schema_and_takes_each(agency_a, api_as):
    parameters = ordering_parameters()
    ordered_lists = {route.url({}) for route in list_routes()
                     if OrderingFilter in list_view(route).filter_backends}
    assert ordered_lists and ordered_lists == set(parameters)
    api = api_as(agency_a.rw_header)
    for path, parameter in parameters.items():
        allowed = parameter["schema"]["items"]["enum"]
        ascending = [value for value in allowed if not value.startswith("-")]
        assert allowed == [form for name in ascending for form in (name, f"-{name}")], path
        for value in allowed:
            assert api.get(path, {"ordering": value}).status_code == 200, f"{path}?ordering={value}"
