"""The store pages of the admin: operators write what they own (the rule of ``accounts.rules`` that the API
applies too), stores are closed and never deleted, clients go only without stores, and the audit trail reads
like a person wrote it."""

import re

from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Client, Store
from tests.factories import ClientFactory


def change_url(store):
    return reverse("admin:accounts_store_change", args=[store.pk])


def form_data(store, **changes):
    data = {"name": store.name, "client": store.client_id, "status": store.status, "marketplace": store.marketplace,
            "seller_id": store.seller_id, "registered_on": store.registered_on or "", "selling_plan":
            store.selling_plan, "brand_registered": "on" if store.brand_registered else "", "notes": store.notes,
            "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def fresh(store):
    with scopes_disabled():
        return Store.objects.get(pk=store.pk)


def test_an_operator_changes_the_notes_and_status_of_an_assigned_store_and_nothing_else(agency_a, client_as):
    store = agency_a.assigned_store
    other_client = ClientFactory(agency=agency_a.agency, name="Someone else's client")
    operator = client_as(agency_a.operator)
    answer = operator.post(change_url(store), form_data(
        store, notes="Called Seller Support", status="at_risk", seller_id="A9CHANGED0001", marketplace="FR",
        client=other_client.pk, name="Renamed"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    after = fresh(store)
    assert (after.notes, after.status) == ("Called Seller Support", "at_risk")
    assert (after.seller_id, after.marketplace, after.client_id, after.name) == (
        store.seller_id, store.marketplace, store.client_id, store.name)


def test_the_operators_form_offers_only_notes_and_status_as_inputs(agency_a, client_as):
    page = client_as(agency_a.operator).get(change_url(agency_a.assigned_store)).content.decode()
    inputs = set(re.findall(r'name="(name|client|status|marketplace|seller_id|notes|selling_plan)"', page))
    assert inputs == {"status", "notes"}


def test_an_operator_cannot_open_a_store_not_assigned_to_them(agency_a, client_as):
    operator = client_as(agency_a.operator)
    assert operator.get(change_url(agency_a.other_store)).status_code == 404
    assert operator.post(change_url(agency_a.other_store), form_data(agency_a.other_store, notes="x")).status_code \
        == 404
    assert fresh(agency_a.other_store).notes == agency_a.other_store.notes


def test_a_viewer_changes_nothing(agency_a, client_as):
    store = agency_a.assigned_store
    viewer = client_as(agency_a.viewer)
    assert viewer.post(change_url(store), form_data(store, notes="viewer was here")).status_code == 403
    assert fresh(store).notes == store.notes


def test_a_manager_changes_every_field(agency_a, client_as):
    store = agency_a.other_store
    answer = client_as(agency_a.manager).post(change_url(store), form_data(store, name="Renamed", notes="n"))
    assert answer.status_code == 302
    assert fresh(store).name == "Renamed"


def test_stores_are_closed_never_deleted_in_the_admin(agency_a, client_as):
    owner = client_as(agency_a.owner)
    store = agency_a.assigned_store
    assert owner.get(reverse("admin:accounts_store_delete", args=[store.pk])).status_code == 403
    changelist = owner.get(reverse("admin:accounts_store_changelist")).content.decode()
    assert "delete_selected" not in changelist
    answer = owner.post(reverse("admin:accounts_store_changelist"),
                        {"action": "delete_selected", "_selected_action": [store.pk], "post": "yes"})
    assert answer.status_code in (200, 302)
    with scopes_disabled():
        assert Store.objects.filter(pk=store.pk).exists()
    assert reverse("admin:accounts_store_delete", args=[store.pk]) not in owner.get(change_url(store)).content.decode()


def test_a_client_with_stores_is_not_deleted_and_the_page_says_why(agency_a, client_as):
    owner = client_as(agency_a.owner)
    url = reverse("admin:accounts_client_delete", args=[agency_a.client.pk])
    page = owner.get(url).content.decode()
    assert "still has stores" in page
    assert agency_a.other_store.name not in page  # the reason, not a list of the stores
    owner.post(url, {"post": "yes"})
    with scopes_disabled():
        assert Client.objects.filter(pk=agency_a.client.pk).exists()


def test_a_client_without_stores_is_deleted(agency_a, client_as):
    empty = ClientFactory(agency=agency_a.agency, name="No stores yet")
    answer = client_as(agency_a.owner).post(reverse("admin:accounts_client_delete", args=[empty.pk]),
                                            {"post": "yes"})
    assert answer.status_code == 302
    with scopes_disabled():
        assert not Client.objects.filter(pk=empty.pk).exists()


def test_the_store_list_shows_the_status_as_a_coloured_label(agency_a, client_as):
    with scopes_disabled():
        Store.objects.filter(pk=agency_a.other_store.pk).update(status="suspended")
    page = client_as(agency_a.owner).get(reverse("admin:accounts_store_changelist")).content.decode()
    cells = re.findall(r'<td class="field-status_label[^"]*"[^>]*>(.*?)</td>', page, re.S)
    text = " ".join(" ".join(cells).split())
    assert "bg-green-100" in text and "Active" in text
    assert "bg-red-100" in text and "Suspended" in text


def test_the_history_names_the_api_key_and_reads_labels_not_codes(agency_a, client_as, api_as):
    store = agency_a.assigned_store
    api = api_as(agency_a.rw_header)
    assert api.patch(f"/api/v1/stores/{store.pk}/", {"status": "at_risk"}, format="json").status_code == 200
    page = client_as(agency_a.owner).get(reverse("admin:accounts_store_history", args=[store.pk]),
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page.split('id="change-history"')[1]).split())
    assert f"API key “{agency_a.rw_key.name} (" in text  # the key's name and prefix, as the key list shows it
    assert "At risk" in text and "at_risk" not in text
    assert "Status:" in text
