"""Signing in: the lockout keys on the normalised login and the client's real address (through the trusted
proxies only), an address that sprays many logins is locked for all of them, a person sets their own password
only where the old one is asked, and demo people never appear in production."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import Agency, User
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"
CLIENT_X = "198.51.100.7"
CLIENT_Y = "203.0.113.9"


def sign_in(email, password, *, peer="127.0.0.1", forwarded=None):
    """One attempt on the admin's sign-in form from a fresh browser: 302 signed in, 200 refused, 429 locked."""
    headers = {"REMOTE_ADDR": peer, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return DjangoClient().post(f"{reverse('admin:login')}?next=/admin/", {"username": email, "password": password},
                               **headers)


def fail_until_locked(settings, email, **where):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(email, "wrong", **where)


# -- the login's spelling ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("failed_as", "then_as"), [
    ("viewer.a@example.com", "Viewer.A@example.com"),
    ("viewer.a@example.com", " VIEWER.A@EXAMPLE.COM "),
    ("VIEWER.a@Example.com", "viewer.a@example.com"),
])
def test_the_lockout_holds_however_the_email_is_spelled(agency_a, settings, failed_as, then_as):
    fail_until_locked(settings, failed_as)
    assert sign_in(then_as, PASSWORD).status_code == 429


@pytest.mark.parametrize("lookalike", ["vıewer.a@example.com", "viewer.a@example.com\u017f"])
def test_a_lookalike_spelling_that_the_database_would_fold_is_not_the_account(agency_a, settings, lookalike):
    """PostgreSQL's case-insensitive comparison folds 'ı' into 'I' (and 'ſ' into 'S'), Python's lower() does not:
    such a spelling must not reach the account with a fresh lockout budget."""
    fail_until_locked(settings, "viewer.a@example.com")
    assert sign_in(lookalike, PASSWORD).status_code != 302


def test_a_login_longer_than_any_email_is_refused_like_a_wrong_one(agency_a, settings):
    response = sign_in("v" * 5000 + "@example.com", "wrong")
    assert response.status_code == 200
    assert "Please enter the correct" in response.content.decode()


def test_another_spelling_of_the_email_still_signs_in_before_the_limit(agency_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("Viewer.A@Example.com", "wrong")
    assert sign_in(" viewer.a@example.com ", PASSWORD).status_code == 302


# -- the client's address behind a proxy ----------------------------------------------------------------------

def test_behind_a_proxy_failures_from_one_client_lock_the_account_for_that_client_only(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    email = agency_a.owner.email
    fail_until_locked(settings, email, peer=PROXY, forwarded=CLIENT_X)
    assert sign_in(email, PASSWORD, peer=PROXY, forwarded=CLIENT_X).status_code == 429
    assert sign_in(email, PASSWORD, peer=PROXY, forwarded=CLIENT_Y).status_code == 302


def test_a_forged_entry_on_the_left_of_x_forwarded_for_does_not_change_the_address(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    email = agency_a.owner.email
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(email, "wrong", peer=PROXY, forwarded=f"192.0.2.{number}, {CLIENT_X}")
    assert sign_in(email, PASSWORD, peer=PROXY, forwarded=f"192.0.2.200, {CLIENT_X}").status_code == 429
    # Nor can the client pass as another one to lock that one out.
    assert sign_in(email, PASSWORD, peer=PROXY, forwarded=CLIENT_Y).status_code == 302


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    email = agency_a.owner.email
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(email, "wrong", peer=CLIENT_X, forwarded=f"192.0.2.{number}")
    assert sign_in(email, PASSWORD, peer=CLIENT_X, forwarded=CLIENT_Y).status_code == 429
    # Someone else claiming to be the locked-out client in the header is not locked out.
    assert sign_in(email, PASSWORD, peer=CLIENT_Y, forwarded=CLIENT_X).status_code == 302


# -- password spraying ---------------------------------------------------------------------------------------

def spray(settings, count, *, forwarded):
    """``count`` failures from one address, each with another login, each far below the per-login limit."""
    for number in range(count):
        sign_in(f"guess-{number}@example.com", "Summer2026!", peer=PROXY, forwarded=forwarded)


def test_an_address_that_sprays_many_logins_is_locked_for_every_login_another_address_is_not(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    spray(settings, settings.SIGNIN_ADDRESS_FAILURE_LIMIT, forwarded=CLIENT_X)
    assert sign_in(agency_a.manager.email, PASSWORD, peer=PROXY, forwarded=CLIENT_X).status_code == 429
    assert sign_in(agency_a.manager.email, PASSWORD, peer=PROXY, forwarded=CLIENT_Y).status_code == 302


def test_the_failure_that_reaches_the_address_limit_is_answered_as_locked(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spray(settings, settings.SIGNIN_ADDRESS_FAILURE_LIMIT - 1, forwarded=CLIENT_X)
    last = sign_in("guess-last@example.com", "Summer2026!", peer=PROXY, forwarded=CLIENT_X)
    assert last.status_code == 429


def test_an_address_just_below_the_spraying_limit_still_signs_in(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spray(settings, settings.SIGNIN_ADDRESS_FAILURE_LIMIT - 1, forwarded=CLIENT_X)
    assert sign_in(agency_a.manager.email, PASSWORD, peer=PROXY, forwarded=CLIENT_X).status_code == 302


def test_the_spraying_limit_is_a_setting(agency_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    spray(settings, 8, forwarded=CLIENT_X)
    assert sign_in(agency_a.manager.email, PASSWORD, peer=PROXY, forwarded=CLIENT_X).status_code == 429


# -- one's own password --------------------------------------------------------------------------------------

def password_page(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def new_password_form():
    return {"password1": "a-brand-new-passphrase-77", "password2": "a-brand-new-passphrase-77",
            "usable_password": "true"}


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_a_member_cannot_set_their_own_password_without_the_old_one(agency_a, client_as, role):
    person = agency_a.staff[role]
    client = client_as(person)
    page = client.get(password_page(person))
    assert page.status_code == 302 and page.url == reverse("admin:password_change")
    posted = client.post(password_page(person), new_password_form())
    assert posted.status_code == 302 and posted.url == reverse("admin:password_change")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_superuser_is_sent_to_the_normal_page_for_their_own_password(db, client_as):
    superuser = UserFactory(email="root@platform.example", is_superuser=True, is_staff=True)
    client = client_as(superuser)
    posted = client.post(password_page(superuser), new_password_form())
    assert posted.status_code == 302 and posted.url == reverse("admin:password_change")
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)
    # The normal page asks for the old password.
    normal = client.get(reverse("admin:password_change"))
    assert normal.status_code == 200 and "old_password" in normal.context["form"].fields


def test_a_superuser_sets_another_persons_password_on_the_per_user_page(agency_a, client_as):
    superuser = UserFactory(email="root@platform.example", is_superuser=True, is_staff=True)
    client = client_as(superuser)
    assert client.get(password_page(agency_a.viewer)).status_code == 200
    posted = client.post(password_page(agency_a.viewer), new_password_form())
    assert posted.status_code == 302
    agency_a.viewer.refresh_from_db()
    assert agency_a.viewer.check_password("a-brand-new-passphrase-77")


def test_members_cannot_set_other_peoples_passwords(agency_a, agency_b, client_as):
    client = client_as(agency_a.owner)
    assert client.post(password_page(agency_a.viewer), new_password_form()).status_code == 403
    assert client.post(password_page(agency_b.viewer), new_password_form()).status_code == 404
    for person in (agency_a.viewer, agency_b.viewer):
        person.refresh_from_db()
        assert person.check_password(PASSWORD)


def test_another_agencys_password_page_is_not_found_whatever_the_query_says(agency_a, agency_b, client_as):
    client = client_as(agency_a.owner)
    assert client.get(f"{password_page(agency_b.viewer)}?_to_field=password").status_code == 404


# -- demo people ---------------------------------------------------------------------------------------------

def test_loaddemo_refuses_where_demo_data_is_not_allowed_and_creates_nothing(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    with scopes_disabled():
        people_before = User.objects.count()
    with translation.override("en"), pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("loaddemo", "--password", "demo-test-pass")
    with scopes_disabled():
        assert not Agency.objects.exists()
        assert User.objects.count() == people_before


def test_loaddemo_with_production_settings_fails_with_its_reason_and_creates_nothing(tmp_path):
    database = tmp_path / "production.sqlite3"
    # Production as the README sets it up, on a database file of this test's own.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 30 + "a-long-random-production-secret-9876543210",
        "DJANGO_ALLOWED_HOSTS": "ops.example.com",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "redis://cache.internal:6379/0",
    }

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    migrated = manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    refused = manage("loaddemo", "--password", "demo-test-pass")
    assert refused.returncode != 0
    # A message for a person, not a traceback; it names the settings (in whatever language it is written).
    assert "Traceback" not in refused.stderr
    assert "config.settings.production" in refused.stderr and "DEMO_DATA_ALLOWED" in refused.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM accounts_agency").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM accounts_user").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM accounts_apikey").fetchone() == (0,)
