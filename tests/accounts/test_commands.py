import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import Agency, ApiKey, Membership, Store, User
from accounts.tenancy import api_key_from_raw


def run(*args):
    """Run a command in English (as a person with an English shell would); its (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_createagency_creates_a_tenant_with_shanghai_time_by_default():
    out, _ = run("createagency", "acme", "--name", "Acme Agency")
    agency = Agency.objects.get(slug="acme")
    assert agency.name == "Acme Agency"
    assert agency.time_zone == "Asia/Shanghai"
    assert agency.default_language == "zh-hans"
    assert "acme" in out


@pytest.mark.django_db
def test_createagency_refuses_a_duplicate_slug_and_an_unknown_time_zone():
    run("createagency", "acme", "--name", "Acme")
    with pytest.raises(CommandError, match="slug"):
        run("createagency", "acme", "--name", "Acme again")
    with pytest.raises(CommandError, match="time_zone"):
        run("createagency", "other", "--name", "Other", "--timezone", "Mars/Olympus")
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_addmember_creates_the_user_and_prints_a_one_time_password(monkeypatch):
    run("createagency", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", _Tty())
    out, _ = run("addmember", "--agency", "acme", "Li.Na@Example.com", "--role", "manager")
    password = out.strip().splitlines()[-1].split(": ", 1)[1]
    user = User.objects.get(email="li.na@example.com")
    assert user.check_password(password)
    with scopes_disabled():
        assert Membership.objects.get(user=user).role == "manager"


@pytest.mark.django_db
def test_addmember_takes_the_password_from_stdin_and_prints_none(monkeypatch):
    run("createagency", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-from-a-vault\n"))
    out, _ = run("addmember", "--agency", "acme", "op@example.com", "--role", "operator")
    assert "s3cret" not in out and "password" not in out.lower()
    assert User.objects.get(email="op@example.com").check_password("s3cret-from-a-vault")


def roles_in(slug):
    with scopes_disabled():
        return dict(Membership.objects.filter(agency__slug=slug).values_list("user__email", "role"))


@pytest.mark.django_db
def test_addmember_of_an_existing_member_refuses_another_role_unless_told_to_change_it(monkeypatch):
    run("createagency", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password-9\n"))
    run("addmember", "--agency", "acme", "op@example.com", "--role", "operator")
    monkeypatch.setattr("sys.stdin", _Tty())

    with pytest.raises(CommandError, match="role: op@example.com is already Operator"):
        run("addmember", "--agency", "acme", "op@example.com", "--role", "viewer")
    assert roles_in("acme") == {"op@example.com": "operator"}

    out, _ = run("addmember", "--agency", "acme", "op@example.com", "--role", "operator")
    assert "now Operator" in out  # the same role again changes nothing and is no error

    out, _ = run("addmember", "--agency", "acme", "op@example.com", "--role", "viewer", "--change-role")
    assert "password" not in out.lower()
    assert roles_in("acme") == {"op@example.com": "viewer"}
    assert User.objects.get(email="op@example.com").check_password("first-password-9")


@pytest.mark.django_db
def test_addmember_cannot_demote_the_only_owner_even_when_told_to(monkeypatch):
    run("createagency", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", _Tty())
    run("addmember", "--agency", "acme", "boss@example.com", "--role", "owner")

    with pytest.raises(CommandError, match="role: This is the agency's only owner and cannot become Viewer"):
        run("addmember", "--agency", "acme", "boss@example.com", "--role", "viewer", "--change-role")
    assert roles_in("acme") == {"boss@example.com": "owner"}

    run("addmember", "--agency", "acme", "second@example.com", "--role", "owner")
    run("addmember", "--agency", "acme", "boss@example.com", "--role", "viewer", "--change-role")
    assert roles_in("acme") == {"boss@example.com": "viewer", "second@example.com": "owner"}


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "rule"), [("short1", "too short"), ("password123", "too common"),
                                                ("4815162342", "entirely numeric"),
                                                ("pat.liu.example", "too similar")])
def test_a_password_piped_into_addmember_must_pass_the_password_rules(monkeypatch, password, rule):
    run("createagency", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError, match=f"password: .*{rule}"):
        run("addmember", "--agency", "acme", "pat.liu@example.com", "--role", "operator")
    assert not User.objects.filter(email="pat.liu@example.com").exists()
    assert roles_in("acme") == {}


@pytest.mark.django_db
def test_addmember_to_an_unknown_agency_fails_and_creates_nobody(monkeypatch):
    monkeypatch.setattr("sys.stdin", _Tty())
    with pytest.raises(CommandError, match="nowhere"):
        run("addmember", "--agency", "nowhere", "op@example.com", "--role", "operator")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createapikey_prints_a_working_key_once_and_stores_only_its_hash():
    run("createagency", "acme", "--name", "Acme")
    out, err = run("createapikey", "--agency", "acme", "--name", "ERP", "--read-only")
    raw = out.strip()
    key = api_key_from_raw(raw)
    assert key is not None and key.name == "ERP" and key.access == "read"
    with scopes_disabled():
        stored = ApiKey.objects.get()
    assert raw.split(".", 1)[1] not in stored.hashed_secret
    assert "shown once" in err


@pytest.mark.django_db
def test_loaddemo_loads_once_one_person_per_role_and_about_thirty_stores():
    out, _ = run("loaddemo", "--password", "demo-test-pass")
    agency = Agency.objects.get(slug="demo")
    with scopes_disabled():
        roles = set(Membership.objects.filter(agency=agency).values_list("role", flat=True))
        stores = Store.objects.filter(agency=agency)
        assert roles == {"owner", "manager", "operator", "viewer"}
        assert 25 <= stores.count() <= 40
        assert stores.values("marketplace").distinct().count() >= 8
    assert "owner@demo.example" in out and "demo-test-pass" in out
    assert User.objects.get(email="owner@demo.example").check_password("demo-test-pass")
    # The printed password is the people's own: signing in with it leads to the work, not to a password change.
    assert not User.objects.filter(email__endswith="@demo.example", must_change_password=True).exists()

    again, _ = run("loaddemo", "--password", "demo-test-pass")
    with scopes_disabled():
        assert Store.objects.filter(agency=agency).count() == stores.count()
    assert "owner@demo.example" in again


class _Tty(io.StringIO):
    def isatty(self):
        return True
