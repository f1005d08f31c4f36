"""Each person sets their own alert emails on a page of their own ("My alert emails"): it starts from their role's
defaults, saves one row per person, refuses a bad value on its field, and never shows or changes anyone else's."""

import pytest
from django.urls import reverse

from alerts.models import NotificationPreference
from alerts.subscriptions import DEFAULTS, StoreScope

MINE = reverse("admin:alerts_notificationpreference_mine")
ADD = reverse("admin:alerts_notificationpreference_add")
LIST = reverse("admin:alerts_notificationpreference_changelist")


def change_url(row):
    return reverse("admin:alerts_notificationpreference_change", args=[row.pk])


def rows_of(persona, user):
    with persona.scope():
        return list(NotificationPreference.objects.filter(agency=persona.agency, user=user))


@pytest.mark.parametrize("role", ["operator", "manager", "viewer"])
def test_the_page_starts_from_the_defaults_of_the_persons_role(agency_a, client_as, role):
    person = agency_a.staff[role]
    answer = client_as(person).get(MINE, follow=True)

    assert answer.redirect_chain[-1][0] == ADD
    form = answer.context["adminform"].form
    defaults = DEFAULTS[role]
    assert {name: form.initial[name] for name in ("immediate", "digest", "scope", "resolved")} == {
        "immediate": defaults.immediate, "digest": defaults.digest, "scope": defaults.scope,
        "resolved": defaults.resolved}
    assert rows_of(agency_a, person) == [], "opening the page writes nothing"
    # One row per person: the page offers no "save and add another", nor "save as new".
    assert 'name="_addanother"' not in answer.content.decode() and 'name="_saveasnew"' not in answer.content.decode()
    assert 'name="_save"' in answer.content.decode()


def test_saving_keeps_one_row_for_the_person_and_the_page_then_leads_to_it(agency_a, client_as):
    client = client_as(agency_a.operator)

    answer = client.post(ADD, {"digest": "on", "scope": StoreScope.ALL_STORES, "_save": "Save"})

    [row] = rows_of(agency_a, agency_a.operator)
    assert answer.status_code == 302 and answer["Location"] == change_url(row)
    assert (row.immediate, row.digest, row.scope, row.resolved) == (False, True, StoreScope.ALL_STORES, False)
    assert client.get(MINE)["Location"] == change_url(row)
    assert client.get(ADD).status_code == 403, "one row per person: the page changes it"

    client.post(change_url(row), {"immediate": "on", "scope": StoreScope.MY_STORES, "_save": "Save"})
    [row] = rows_of(agency_a, agency_a.operator)
    assert (row.immediate, row.digest, row.scope) == (True, False, StoreScope.MY_STORES)


def test_a_value_that_does_not_exist_is_refused_on_its_field_and_nothing_is_written(agency_a, client_as):
    answer = client_as(agency_a.operator).post(ADD, {"immediate": "on", "scope": "everything", "_save": "Save"})

    assert answer.status_code == 200
    assert "scope" in answer.context["adminform"].form.errors
    assert "everything" in str(answer.context["adminform"].form.errors["scope"])
    assert rows_of(agency_a, agency_a.operator) == []


def test_nobody_sees_or_changes_anyone_elses_alert_emails_not_even_the_owner(agency_a, agency_b, client_as):
    client_as(agency_a.manager).post(ADD, {"immediate": "on", "scope": StoreScope.ALL_STORES, "_save": "Save"})
    [managers] = rows_of(agency_a, agency_a.manager)
    owner = client_as(agency_a.owner)

    assert change_url(managers) not in owner.get(LIST).content.decode()
    assert owner.get(change_url(managers)).status_code == 404
    assert owner.post(change_url(managers), {"scope": StoreScope.MY_STORES, "_save": "Save"}).status_code == 404
    assert client_as(agency_b.manager).get(change_url(managers)).status_code == 404
    [unchanged] = rows_of(agency_a, agency_a.manager)
    assert (unchanged.immediate, unchanged.scope) == (True, StoreScope.ALL_STORES)
