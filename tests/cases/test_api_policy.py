"""The case and chat policy over the API (``/api/v1/case-policy/``): everyone of the agency reads it (the seed
article's numbers until changed), managers and read-write keys change it; a number out of its bounds is a 400 naming
the field, and nothing changes."""

import pytest
from django_scopes import scopes_disabled

from accounts.models import Agency
from cases.models import CasePolicy

POLICY = "/api/v1/case-policy/"


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


def policy_of(persona):
    with scopes_disabled():
        return CasePolicy.objects.filter(agency=persona.agency).first()


def test_the_policy_reads_the_seed_articles_numbers_until_changed_and_reading_writes_nothing(agency_a, api_as):
    answer = api_as(agency_a.viewer).get(POLICY)

    assert answer.status_code == 200
    body = answer.json()
    assert (body["chats_per_day"], body["invalid_to_freeze"], body["freeze_days"], body["min_store_age_days"],
            body["ahr_threshold"], body["follow_up_after_hours"]) == (3, 2, 7, 180, 980, 24)
    assert policy_of(agency_a) is None


@pytest.mark.parametrize("name", ["owner", "manager", "read-write key"])
def test_managers_change_some_numbers_and_the_others_stay(agency_a, api_as, name):
    client = api_as(agency_a.rw_header if name == "read-write key" else agency_a.staff[name])

    answer = client.put(POLICY, {"chats_per_day": 5, "freeze_days": 10}, format="json")

    assert answer.status_code == 200, answer.content
    assert (answer.json()["chats_per_day"], answer.json()["freeze_days"], answer.json()["ahr_days"]) == (5, 10, 90)
    assert (policy_of(agency_a).chats_per_day, policy_of(agency_a).rules().freeze_days) == (5, 10)


@pytest.mark.parametrize("name", ["operator", "viewer", "read-only key"])
def test_others_may_not_change_the_policy(agency_a, api_as, name):
    client = api_as(agency_a.ro_header if name == "read-only key" else agency_a.staff[name])

    assert client.put(POLICY, {"chats_per_day": 5}, format="json").status_code == 403
    assert policy_of(agency_a) is None


@pytest.mark.parametrize(("field", "value"), [("chats_per_day", 0), ("chats_per_day", 51), ("freeze_days", "a week"),
                                              ("ahr_threshold", 1001), ("follow_up_after_hours", 0)])
def test_a_number_out_of_bounds_is_a_400_naming_the_field_and_nothing_changes(agency_a, api_as, field, value):
    answer = api_as(agency_a.manager).put(POLICY, {"invalid_to_freeze": 3, field: value}, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == [field] and str(value) in answer.json()[field][0]
    assert policy_of(agency_a) is None or policy_of(agency_a).invalid_to_freeze == 2


def test_each_agency_reads_and_changes_its_own_policy(agency_a, agency_b, api_as):
    api_as(agency_a.manager).put(POLICY, {"chats_per_day": 5}, format="json")

    assert api_as(agency_b.viewer).get(POLICY).json()["chats_per_day"] == 3
    assert policy_of(agency_b) is None
