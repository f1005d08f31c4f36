"""The admin's sidebar follows the work: groups in the order people use them, contributed by the apps through
the extension seam, and each person sees only the links their role may open (every link opens)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import extensions
from accounts.platform.admin_site import site
from accounts.platform.navigation import NavigationGroup, NavigationItem
from tests.factories import UserFactory


def sidebar(client):
    answer = client.get(reverse("admin:index"))
    assert answer.status_code == 200
    return [(str(group["title"]), [(str(item["title"]), item["link"]) for item in group["items"]])
            for group in answer.context["sidebar_navigation"]]


def titles(groups):
    return [title for title, _items in groups]


def links(groups):
    return [link for _title, items in groups for _name, link in items]


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_every_link_of_the_sidebar_opens_for_the_person_who_sees_it(agency_a, client_as, role):
    client = client_as(getattr(agency_a, role))
    groups = sidebar(client)
    assert groups, role
    for link in links(groups):
        assert client.get(link).status_code == 200, f"{role}: {link}"


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_nothing_the_person_may_open_is_missing_from_the_sidebar(agency_a, client_as, role):
    """Every model list the person's role may open is linked from some group."""
    client = client_as(getattr(agency_a, role))
    shown = set(links(sidebar(client)))
    request = client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in site._registry.items():
        if model_admin.has_module_permission(request) and model_admin.has_view_permission(request):
            opts = model._meta
            assert reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") in shown, (role, opts.label)


def test_groups_follow_the_work_stores_first_settings_then_the_audit_trail(agency_a, client_as):
    assert titles(sidebar(client_as(agency_a.owner))) == ["Stores", "Health", "Alerts", "Seller Support", "Documents",
                                                          "Monthly review", "Settings", "Audit trail"]


def test_an_operator_sees_their_work_and_no_settings_nor_audit_trail(agency_a, client_as):
    groups = dict(sidebar(client_as(agency_a.operator)))
    assert "Stores" in groups and "Audit trail" not in groups
    assert not any("apikey" in link or "membership" in link for link in links(list(groups.items())))


def test_only_those_who_administer_the_agency_see_the_api_keys(agency_a, client_as):
    key_list = reverse("admin:accounts_apikey_changelist")
    assert key_list in links(sidebar(client_as(agency_a.owner)))
    assert key_list not in links(sidebar(client_as(agency_a.manager)))


def test_a_group_contributed_by_an_app_takes_its_place_in_the_order(agency_a, client_as):
    contributed = NavigationGroup(title="Probe", order=15, items=(
        NavigationItem(title="Store health", icon="monitor_heart", model="accounts.Store"),
        NavigationItem(title="Not installed", icon="block", url_name="no_such_page"),
    ))
    with extensions.admin_navigation.contributed(contributed):
        groups = sidebar(client_as(agency_a.manager))
    assert titles(groups) == ["Stores", "Probe", "Health", "Alerts", "Seller Support", "Documents", "Monthly review",
                              "Settings", "Audit trail"]
    assert dict(groups)["Probe"] == [("Store health", reverse("admin:accounts_store_changelist"))]


def test_a_platform_superuser_sees_the_platforms_records(db):
    client = Client()
    client.force_login(UserFactory(email="platform@example.com", is_superuser=True, language="en"))
    groups = dict(sidebar(client))
    assert reverse("admin:accounts_platformaccess_changelist") in [link for _n, link in groups["Platform"]]
