import re

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import ApiKey, PlatformAccess, Store
from accounts.tenancy import api_key_from_raw
from tests.factories import MembershipFactory, UserFactory


def test_a_member_of_two_agencies_switches_between_them(agency_a, agency_b, client_as):
    MembershipFactory(agency=agency_b.agency, user=agency_a.manager, role="viewer")
    client = client_as(agency_a.manager)
    page = client.get("/admin/accounts/store/").content.decode()
    assert "Unassigned store A" in page and "Unassigned store B" not in page

    response = client.post("/admin/switch-agency/", {"agency": agency_b.agency.pk})
    assert response.status_code == 302
    page = client.get("/admin/accounts/store/").content.decode()
    assert "Unassigned store B" in page and "Unassigned store A" not in page
    # A viewer in agency B: the store list has no "add" link there.
    assert "/admin/accounts/store/add/" not in page


def test_switching_to_an_agency_one_does_not_belong_to_is_a_404_and_changes_nothing(agency_a, agency_b, client_as):
    client = client_as(agency_a.manager)
    assert client.post("/admin/switch-agency/", {"agency": agency_b.agency.pk}).status_code == 404
    assert client.post("/admin/switch-agency/", {"agency": "999999"}).status_code == 404
    assert client.post("/admin/switch-agency/", {"agency": "not-a-number"}).status_code == 404
    agency_a.manager.refresh_from_db()
    assert agency_a.manager.active_agency_id in (None, agency_a.agency.pk)
    assert "Unassigned store A" in client.get("/admin/accounts/store/").content.decode()


def test_a_saved_language_preference_is_honoured_without_a_cookie(agency_a):
    agency_a.manager.language = "zh-hans"
    agency_a.manager.save()
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agency_a.manager, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_agency_default_language_applies_to_people_without_a_preference(agency_a):
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agency_a.viewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").headers["Content-Language"] == "zh-hans"  # the agency's default


def test_switching_language_saves_it_for_the_person(agency_a, client_as):
    client = client_as(agency_a.operator)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    agency_a.operator.refresh_from_db()
    assert agency_a.operator.language == "zh-hans"
    assert client.get("/admin/").headers["Content-Language"] == "zh-hans"


def test_switching_language_ignores_an_unknown_language_and_an_offsite_next(agency_a, client_as):
    client = client_as(agency_a.operator)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/admin/"
    agency_a.operator.refresh_from_db()
    assert agency_a.operator.language == ""


def test_viewers_read_but_cannot_change_stores_in_the_admin(agency_a, client_as):
    client = client_as(agency_a.viewer)
    store = agency_a.other_store
    assert client.get("/admin/accounts/store/").status_code == 200
    assert client.get("/admin/accounts/store/add/").status_code == 403
    response = client.post(f"/admin/accounts/store/{store.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    with scopes_disabled():
        assert Store.objects.get(pk=store.pk).name == "Unassigned store A"


def test_operators_cannot_see_api_keys_and_owners_create_one_shown_once(agency_a, client_as):
    assert client_as(agency_a.operator).get("/admin/accounts/apikey/").status_code == 403
    client = client_as(agency_a.owner)
    response = client.post("/admin/accounts/apikey/add/", {"name": "New ERP", "access": "read_write"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    raw = next(m for m in messages if "API key" in m).split("<code>")[1].split("</code>")[0]
    key = api_key_from_raw(raw)
    assert key is not None and key.name == "New ERP" and key.agency_id == agency_a.agency.pk
    with scopes_disabled():
        assert ApiKey.objects.filter(agency=agency_a.agency, name="New ERP").count() == 1
    detail = client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    assert raw not in detail


def test_owners_revoke_keys_in_the_admin(agency_a, client_as, api_as):
    client = client_as(agency_a.owner)
    response = client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [agency_a.ro_key.pk]})
    assert response.status_code == 302
    assert api_as(agency_a.ro_header).get("/api/v1/stores/").status_code == 401
    assert api_as(agency_a.rw_header).get("/api/v1/stores/").status_code == 200


def test_the_store_list_filters_by_marketplace_status_client_and_operator_and_searches(agency_a, client_as):
    client = client_as(agency_a.manager)
    by_marketplace = client.get("/admin/accounts/store/?marketplace__exact=DE").content.decode()
    assert "Unassigned store A" in by_marketplace and "Assigned store A" not in by_marketplace.replace(
        "Unassigned store A", "")
    by_operator = client.get(f"/admin/accounts/store/?operator={agency_a.operator.pk}").content.decode()
    assert "Assigned store A" in by_operator and "Unassigned store A" not in by_operator
    unassigned = client.get("/admin/accounts/store/?operator=none").content.decode()
    assert "Unassigned store A" in unassigned
    by_client = client.get(f"/admin/accounts/store/?client={agency_a.client.pk}").content.decode()
    assert "Unassigned store A" in by_client and "Assigned store A" in by_client
    by_status = client.get("/admin/accounts/store/?status__exact=closed").content.decode()
    assert "Unassigned store A" not in by_status
    search = client.get(f"/admin/accounts/store/?q={agency_a.other_store.seller_id}").content.decode()
    assert "Unassigned store A" in search and ">Assigned store A<" not in search


def test_a_new_store_in_the_admin_gets_the_agency_and_refuses_a_duplicate_seller_id(agency_a, client_as):
    client = client_as(agency_a.manager)
    data = {"name": "New DE store", "client": agency_a.client.pk, "status": "active", "marketplace": "DE",
            "seller_id": agency_a.other_store.seller_id, "selling_plan": "professional",
            "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000"}
    response = client.post("/admin/accounts/store/add/", data)
    assert response.status_code == 200
    assert "seller_id" in response.context["adminform"].form.errors
    data["seller_id"] = "A2NEWSELLER01"
    response = client.post("/admin/accounts/store/add/", data)
    assert response.status_code == 302
    with scopes_disabled():
        assert Store.objects.get(seller_id="A2NEWSELLER01").agency == agency_a.agency


@pytest.mark.django_db
def test_platform_superusers_see_across_agencies_with_a_banner_and_every_page_is_recorded(agency_a, agency_b):
    root = UserFactory(email="root@platform.example", is_superuser=True)
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    page = client.get("/admin/accounts/store/").content.decode()
    assert "Unassigned store A" in page and "Unassigned store B" in page
    assert "Platform access" in page
    assert PlatformAccess.objects.filter(user=root, path="/admin/accounts/store/").count() == 1


def test_staff_of_an_agency_get_no_platform_banner_and_leave_no_platform_record(agency_a, client_as):
    page = client_as(agency_a.owner).get("/admin/").content.decode()
    assert "Platform access" not in page
    assert not PlatformAccess.objects.exists()


def test_managers_cannot_manage_memberships(agency_a, client_as):
    assert client_as(agency_a.manager).get("/admin/accounts/membership/add/").status_code == 403


def test_a_client_name_taken_in_the_agency_is_a_name_error_in_the_admin(agency_a, client_as):
    response = client_as(agency_a.manager).post("/admin/accounts/client/add/", {"name": agency_a.client.name})
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors


def operators_offered(client):
    """The people the operator field of an assignment offers as one types (its autocomplete, which the store's
    inline, the assignment form and the bulk pages use)."""
    answer = client.get("/admin/autocomplete/", {"app_label": "accounts", "model_name": "storeassignment",
                                                 "field_name": "user", "term": ""})
    assert answer.status_code == 200
    return {item["text"] for item in answer.json()["results"]}


def test_the_admin_offers_only_people_who_work_on_stores_as_operators(agency_a, client_as):
    client = client_as(agency_a.manager)
    page = client.get(f"/admin/accounts/store/{agency_a.other_store.pk}/change/")
    assert 'data-model-name="storeassignment" data-field-name="user"' in page.content.decode()
    offered = operators_offered(client)
    assert str(agency_a.operator) in offered and str(agency_a.idle_operator) in offered
    assert str(agency_a.viewer) not in offered


def test_the_view_on_site_shortcut_is_a_404_for_another_agencys_row(agency_a, agency_b, client_as):
    from django.contrib.contenttypes.models import ContentType

    store_type = ContentType.objects.get_for_model(Store)
    client = client_as(agency_b.owner)
    assert client.get(f"/admin/r/{store_type.pk}/{agency_a.other_store.pk}/").status_code == 404
    assert client.get(f"/admin/r/{store_type.pk}/not-an-id/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404


def test_a_viewer_cannot_be_assigned_to_a_store_in_the_assignment_admin(agency_a, client_as):
    from accounts.models import StoreAssignment

    client = client_as(agency_a.manager)
    offered = operators_offered(client)
    assert str(agency_a.operator) in offered and str(agency_a.viewer) not in offered
    response = client.post("/admin/accounts/storeassignment/add/",
                           {"store": agency_a.other_store.pk, "user": agency_a.viewer.pk})
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    with scopes_disabled():
        assert not StoreAssignment.objects.filter(user=agency_a.viewer).exists()


def test_the_client_list_counts_only_the_stores_the_person_sees(agency_a, client_as):
    """Client A has the operator's store and one beyond them: the operator is told of one, the owner of two."""
    url = reverse("admin:accounts_client_changelist")
    cell = re.compile(r'<td class="field-store_count[^"]*"[^>]*>(\d+)</td>')
    assert cell.findall(client_as(agency_a.operator).get(url).content.decode()) == ["1"]
    assert cell.findall(client_as(agency_a.owner).get(url).content.decode()) == ["2"]


@pytest.mark.parametrize("value", ["9" * 30, "abc", "-1", "１２"])
def test_odd_ids_in_admin_addresses_are_not_found_or_ignored_never_a_500(agency_a, client_as, value):
    owner = client_as(agency_a.owner)
    stores = reverse("admin:accounts_store_changelist")
    for parameter in ("client", "operator"):
        assert owner.get(stores, {parameter: value}).status_code in (200, 302), parameter
    version = f"/admin/accounts/store/{agency_a.assigned_store.pk}/history/{value}/"
    assert owner.get(version).status_code == 404
    assert owner.post(reverse("admin:switch_agency"), {"agency": value}).status_code == 404
