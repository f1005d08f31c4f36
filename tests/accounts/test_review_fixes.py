"""Rough edges a review of the back-office found: signing in from a bare sign-in page, a repeated ordering, reset
emails that anyone could repeat, and audit-trail rows whose reason and columns a person could not read."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import services
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def test_signing_in_from_the_bare_sign_in_page_lands_on_the_overview(agency_a):
    browser = Client()
    answer = browser.post(reverse("admin:login"), {"username": agency_a.manager.email, "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == reverse("admin:index")
    assert browser.get(answer["Location"]).status_code == 200


def test_a_repeated_ordering_is_refused_on_the_parameter(agency_a, api_as):
    answer = api_as(agency_a.rw_header).get("/api/v1/stores/?ordering=-status&ordering=name")
    assert answer.status_code == 400 and list(answer.json()) == ["ordering"]


def test_reset_emails_to_one_address_are_bounded_and_the_page_answers_the_same(db, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    person = UserFactory(email="busy@example.com", language="en")
    answers = [Client().post(reverse("admin_password_reset"), {"email": person.email}) for _ in range(4)]
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (302, reverse("password_reset_done"))}
    assert [message.to for message in mail.outbox] == [[person.email], [person.email]]


def test_the_audit_trail_shows_why_a_member_changed_in_the_readers_language(agency_a, client_as):
    with agency_a.scope():
        membership = agency_a.operator.memberships.get(agency=agency_a.agency)
        services.member_reset_password(agency=agency_a.agency, membership=membership, by=agency_a.owner)
    for language in ("en", "zh-hans"):
        owner = client_as(agency_a.owner)
        owner.cookies["django_language"] = language  # the reader's language
        with translation.override(language):
            reason = translation.gettext("Password reset to a one-time password")
            headers = [translation.gettext(word) for word in ("When", "Who", "Why")]
        page = owner.get(reverse("admin:accounts_membership_history", args=[membership.pk])).content.decode()
        assert reason in page
        trail = owner.get(reverse("admin:accounts_historicalmembership_changelist")).content.decode()
        assert reason in trail
        columns = " ".join(re.sub(r"<[^>]+>", " ", trail.split("<thead")[1].split("</thead>")[0]).split())
        assert all(header in columns for header in headers), columns
        assert "History date" not in columns and "History user" not in columns


def test_an_api_address_of_no_route_is_the_apis_json_404_with_debug_on_too(agency_a, api_as, settings):
    settings.DEBUG = True  # as under `make run`, where Django would list every route
    for address in ("/api/v1/nothing/", "/api/v1/stores/1.5/"):
        answer = api_as(agency_a.rw_header).get(address)
        assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}, address
