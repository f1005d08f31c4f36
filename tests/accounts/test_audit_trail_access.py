"""Who may read a model's audit trail in the admin: people who read audit trails (managers and owners), and of
those only the ones who may open the model's own admin. A trail never shows what its model hides: managers do
not see the API keys, so they do not see the API keys' trail either."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import ApiKey, Membership
from accounts.platform.admin_site import AuditTrailAdmin, site
from accounts.roles import Power, powers_of

AUDIT_TRAILS = [model for model, model_admin in site._registry.items() if isinstance(model_admin, AuditTrailAdmin)]


def admin_page(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def api_key_versions(persona):
    """The change, history and delete pages of one version of one of the persona's API keys."""
    with scopes_disabled():
        version = ApiKey.history.filter(agency_id=persona.agency.pk).order_by("history_id").first()
    return [admin_page(ApiKey.history.model, view, version.history_id) for view in ("change", "history", "delete")]


def role_of(persona, person):
    with persona.scope():
        return Membership.objects.get(agency=persona.agency, user=person).role


def test_every_tenant_model_with_an_audit_trail_is_checked():
    assert {trail.instance_type._meta.model_name for trail in AUDIT_TRAILS} >= {
        "agency", "membership", "client", "store", "storeassignment", "apikey"}


@pytest.mark.parametrize("trail", AUDIT_TRAILS, ids=lambda model: model._meta.label)
def test_a_trail_opens_only_to_those_who_read_trails_and_may_open_its_model(trail, agency_a, client_as):
    for role, person in agency_a.staff.items():
        client = client_as(person)
        model_opens = client.get(admin_page(trail.instance_type, "changelist")).status_code == 200
        expected = 200 if model_opens and Power.MANAGE in powers_of(role_of(agency_a, person)) else 403
        answer = client.get(admin_page(trail, "changelist"))
        assert answer.status_code == expected, f"the {trail._meta.label} list as A's {role}: {answer.status_code}"


def test_managers_are_refused_the_api_keys_trail_and_every_page_of_it(agency_a, client_as):
    manager = client_as(agency_a.manager)
    assert manager.get(admin_page(ApiKey, "changelist")).status_code == 403  # the keys themselves
    assert manager.get(admin_page(ApiKey.history.model, "changelist")).status_code == 403
    for url in api_key_versions(agency_a):
        assert manager.get(url).status_code == 403, url


def test_owners_still_read_the_api_keys_trail(agency_a, client_as):
    owner = client_as(agency_a.owner)
    trail = owner.get(admin_page(ApiKey.history.model, "changelist"))
    assert trail.status_code == 200
    assert agency_a.rw_key.prefix in trail.content.decode()
    change, history, _ = api_key_versions(agency_a)
    assert owner.get(change).status_code == 200
    assert owner.get(history).status_code == 200


def test_the_admin_home_links_the_api_keys_trail_for_owners_and_not_for_managers(agency_a, client_as):
    link = admin_page(ApiKey.history.model, "changelist")
    assert link in client_as(agency_a.owner).get(reverse("admin:index")).content.decode()
    for url in (reverse("admin:index"), reverse("admin:app_list", args=["accounts"])):
        assert link not in client_as(agency_a.manager).get(url).content.decode(), url


def test_managers_still_read_the_trails_of_stores_clients_and_assignments(agency_a, client_as):
    manager = client_as(agency_a.manager)
    home = manager.get(reverse("admin:index")).content.decode()
    for model in ("store", "client", "storeassignment"):
        trail = next(t for t in AUDIT_TRAILS if t.instance_type._meta.model_name == model)
        assert manager.get(admin_page(trail, "changelist")).status_code == 200, model
        assert admin_page(trail, "changelist") in home, model
