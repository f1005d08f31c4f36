"""People management without a platform superuser: an owner resets a member's password to a one-time password,
deactivates and reactivates a member, lifts a member's sign-in lockout; a one-time password must be changed at
the first sign-in; anyone chooses a new password by email.

The rules themselves (``accounts.rules.deactivation_errors``, ``password_reset_errors``) are tested at their
boundaries in ``test_rules_of_people`` below without a database; here each path is shown to do what it says
and to leave everything as it was when it refuses. ``tests/isolation/test_admin.py`` walks the rest by itself:
the member page's buttons are pages of one row (404 for another agency), the list's actions are actions.
"""

import html
import io
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from accounts import rules, selectors, services
from accounts.models import Membership, Store, StoreAssignment, User
from accounts.platform.admin_site import site
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-and-long-passphrase-2026"
CHANGELIST = "/admin/accounts/membership/"


# -- helpers ---------------------------------------------------------------------------------------------------

def membership_of(persona, user):
    with scopes_disabled():
        return Membership.objects.select_related("user").get(agency=persona.agency, user=user)


def refreshed(row):
    with scopes_disabled():
        return type(row)._base_manager.get(pk=row.pk)


def power_url(membership, power):
    return reverse(f"admin:accounts_membership_{power}", args=[membership.pk])


def text_of(response):
    return html.unescape(response.content.decode())


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def buttons_of(page):
    """The addresses of the buttons a member's page offers (the theme renders them in its header)."""
    return [button["path"] for button in page.context.get("actions_detail") or []]


def browser():
    """A fresh browser in English from one address (nobody signed in)."""
    return DjangoClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.20")


def sign_in(client, email, password):
    """The admin's real sign-in form: 302 signed in, 200 refused, 429 locked."""
    return client.post(f"{reverse('admin:login')}?next=/admin/", {"username": email, "password": password})


def one_time_password_in(response):
    found = [re.search(r"<code>([^<]+)</code>", message) for message in messages_of(response)]
    passwords = [match.group(1) for match in found if match]
    assert len(passwords) == 1, messages_of(response)
    return passwords[0]


def second_owner(persona):
    return MembershipFactory(agency=persona.agency, user=UserFactory(email=f"owner2.{persona.agency.slug}@example.com"),
                             role="owner")


def lock_out(settings, email, address="198.51.100.20"):
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, email, "wrong")
    assert sign_in(client, email, PASSWORD).status_code == 429


# -- the rules -------------------------------------------------------------------------------------------------

def test_rules_of_people():
    with translation.override("en"):
        assert rules.deactivation_errors(person="a@x", role="owner", by_themselves=False, other_active_owners=1) == {}
        assert rules.deactivation_errors(person="a@x", role="viewer", by_themselves=False, other_active_owners=0) == {}
        assert rules.deactivation_errors(person="a@x", role="owner", by_themselves=False, other_active_owners=0) == {
            "is_active": ["a@x is the agency's only active owner and cannot be deactivated: make someone else "
                          "owner first."]}
        assert list(rules.deactivation_errors(person="a@x", role="viewer", by_themselves=True,
                                              other_active_owners=3)) == ["is_active"]
        assert rules.password_reset_errors(person="a@x", by_themselves=False, account_shared=False) == {}
        assert list(rules.password_reset_errors(person="a@x", by_themselves=True, account_shared=False)) == [
            "password"]
        assert "not this agency's alone" in rules.password_reset_errors(
            person="a@x", by_themselves=False, account_shared=True)["password"][0]
        assert rules.operator_errors(people=[("op", "operator")], deactivated=["op"]) == [
            "Deactivated in this agency, so not given new stores: op."]


# -- resetting a password ----------------------------------------------------------------------------------

def test_an_owner_resets_a_members_password_and_sees_the_one_time_password_once(agency_a, client_as):
    owner = client_as(agency_a.owner)
    membership = membership_of(agency_a, agency_a.operator)
    confirmation = owner.get(power_url(membership, "reset_password"))
    assert confirmation.status_code == 200
    assert agency_a.operator.email in text_of(confirmation)
    assert not refreshed(agency_a.operator).must_change_password  # asking changed nothing

    answer = owner.post(power_url(membership, "reset_password"), {"post": "yes"}, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("admin:accounts_membership_change", args=[membership.pk])
    password = one_time_password_in(answer)
    person = refreshed(agency_a.operator)
    assert person.check_password(password) and not person.check_password(PASSWORD)
    assert person.must_change_password
    assert password not in owner.get(reverse("admin:accounts_membership_change", args=[membership.pk])).content.decode()
    with scopes_disabled():
        latest = membership.history.order_by("-history_id").first()
    assert latest.history_user == agency_a.owner and latest.history_change_reason == (
        "Password reset to a one-time password")


def test_an_owner_resets_the_passwords_of_a_selection_from_the_member_list(agency_a, client_as):
    selected = [membership_of(agency_a, agency_a.viewer).pk, membership_of(agency_a, agency_a.manager).pk]
    answer = client_as(agency_a.owner).post(CHANGELIST, {"action": "reset_passwords", "_selected_action": selected,
                                                         "index": 0}, follow=True)
    passwords = [re.search(r"<code>([^<]+)</code>", m).group(1) for m in messages_of(answer) if "<code>" in m]
    assert len(passwords) == 2
    assert refreshed(agency_a.manager).check_password(passwords[0])  # in the order of their addresses
    assert refreshed(agency_a.viewer).check_password(passwords[1])


def test_a_reset_ends_the_members_sessions(agency_a, client_as, unscoped):
    member = client_as(agency_a.viewer)
    assert member.get("/admin/").status_code == 200
    services.member_reset_password(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.viewer),
                                   by=agency_a.owner)
    assert member.get("/admin/").status_code == 302  # to the sign-in page


def test_an_owner_cannot_reset_their_own_password_nor_that_of_an_account_shared_with_another_agency(
        agency_a, agency_b, client_as, unscoped):
    MembershipFactory(agency=agency_b.agency, user=agency_a.manager, role="viewer")
    root = UserFactory(email="root@platform.example", is_superuser=True)
    MembershipFactory(agency=agency_a.agency, user=root, role="viewer")
    for person in (agency_a.owner, agency_a.manager, root):
        before = refreshed(person).password
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            services.member_reset_password(agency=agency_a.agency, membership=membership_of(agency_a, person),
                                           by=agency_a.owner)
        assert list(refused.value.message_dict) == ["password"]
        assert refreshed(person).password == before and not refreshed(person).must_change_password

    answer = client_as(agency_a.owner).post(power_url(membership_of(agency_a, agency_a.manager), "reset_password"),
                                            {"post": "yes"}, follow=True)
    assert any("not this agency's alone" in message for message in messages_of(answer))
    assert refreshed(agency_a.manager).check_password(PASSWORD)


def test_a_selection_with_one_refusal_resets_nobody(agency_a, client_as):
    selected = [membership_of(agency_a, agency_a.viewer).pk, membership_of(agency_a, agency_a.owner).pk]
    answer = client_as(agency_a.owner).post(CHANGELIST, {"action": "reset_passwords", "_selected_action": selected,
                                                         "index": 0}, follow=True)
    assert any(message.startswith("Nothing was done") for message in messages_of(answer))
    assert "<code>" not in " ".join(messages_of(answer))
    assert refreshed(agency_a.viewer).check_password(PASSWORD)


# -- a one-time password is changed at the first sign-in ----------------------------------------------------

def test_the_one_time_password_must_be_changed_at_the_first_sign_in(agency_a, client_as, unscoped):
    agency_a.operator.language = "en"  # the messages in English, whatever the agency's default
    agency_a.operator.save(update_fields=["language"])
    password = services.member_reset_password(agency=agency_a.agency,
                                              membership=membership_of(agency_a, agency_a.operator),
                                              by=agency_a.owner)
    member = browser()
    assert sign_in(member, agency_a.operator.email, password).status_code == 302
    change = reverse("admin:password_change")
    for page in ("/admin/", "/admin/accounts/store/", f"/admin/accounts/store/{agency_a.assigned_store.pk}/change/"):
        answer = member.get(page)
        assert (answer.status_code, answer["Location"]) == (302, change), page
    api = member.get("/api/v1/stores/")
    assert api.status_code == 403 and "Change your password first" in api.json()["detail"]
    landing = member.get(change)
    assert landing.status_code == 200
    assert "one-time password" in " ".join(messages_of(landing))
    assert member.get(reverse("admin:jsi18n")).status_code == 200

    # Choosing the one-time password again is refused; one's own password ends it.
    again = member.post(change, {"old_password": password, "new_password1": password, "new_password2": password})
    assert again.status_code == 200 and refreshed(agency_a.operator).must_change_password
    done = member.post(change, {"old_password": password, "new_password1": NEW_PASSWORD,
                                "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert not refreshed(agency_a.operator).must_change_password
    assert member.get("/admin/").status_code == 200
    assert member.get("/api/v1/stores/").status_code == 200


def test_an_api_key_is_not_held_back_by_a_one_time_password_of_a_person(agency_a, api_as, unscoped):
    services.member_reset_password(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.manager),
                                   by=agency_a.owner)
    client = api_as(agency_a.rw_header)
    client.force_login(refreshed(agency_a.manager), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/stores/").status_code == 200


def test_signing_out_and_switching_language_stay_reachable_with_a_one_time_password(agency_a, unscoped):
    password = services.member_reset_password(agency=agency_a.agency,
                                              membership=membership_of(agency_a, agency_a.viewer), by=agency_a.owner)
    member = browser()
    sign_in(member, agency_a.viewer.email, password)
    assert member.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"}).status_code == 302
    assert member.post(reverse("admin:logout")).status_code == 200
    assert member.get("/admin/")["Location"].startswith(reverse("admin:login"))


def test_addmember_makes_a_generated_password_one_time_and_a_piped_one_the_persons_own(agency_a, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", Terminal())
    with translation.override("en"):
        call_command("addmember", "--agency", agency_a.agency.slug, "new.person@example.com", "--role", "operator",
                     stdout=out)
    assert "must be changed at the first sign-in" in out.getvalue()
    assert User.objects.get(email="new.person@example.com").must_change_password

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-from-a-vault\n"))
    call_command("addmember", "--agency", agency_a.agency.slug, "piped@example.com", "--role", "operator",
                 stdout=io.StringIO())
    assert not User.objects.get(email="piped@example.com").must_change_password


# -- deactivating and reactivating ---------------------------------------------------------------------------

def test_a_deactivated_member_loses_access_to_that_agency_only(agency_a, agency_b, client_as, api_as):
    MembershipFactory(agency=agency_b.agency, user=agency_a.operator, role="viewer")
    member = client_as(agency_a.operator)
    store_page = f"/admin/accounts/store/{agency_a.assigned_store.pk}/change/"
    assert member.get(store_page).status_code == 200

    answer = client_as(agency_a.owner).post(power_url(membership_of(agency_a, agency_a.operator), "deactivate"),
                                            {"post": "yes"}, follow=True)
    assert f"{agency_a.operator.email} is deactivated in this agency." in messages_of(answer)
    assert not membership_of(agency_a, agency_a.operator).is_active

    assert member.get(store_page).status_code == 404
    assert member.post(reverse("admin:switch_agency"), {"agency": agency_a.agency.pk}).status_code == 404
    home = member.get("/admin/")
    assert home.status_code == 200 and home.context["caller"].agency == agency_b.agency
    listed = api_as(agency_a.operator).get("/api/v1/stores/").json()["results"]
    assert {store["id"] for store in listed} == {agency_b.assigned_store.pk, agency_b.other_store.pk}
    # The assignment stays, but the person is offered for no new one.
    with scopes_disabled():
        assert StoreAssignment.objects.filter(user=agency_a.operator, agency=agency_a.agency).exists()
        assert agency_a.operator not in selectors.assignable_people(agency=agency_a.agency)


def test_a_person_deactivated_in_their_only_agency_cannot_sign_in(agency_a, client_as, unscoped):
    member = client_as(agency_a.viewer)
    services.member_deactivate(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.viewer),
                               by=agency_a.owner)
    assert member.get("/admin/")["Location"].startswith(reverse("admin:login"))
    assert sign_in(browser(), agency_a.viewer.email, PASSWORD).status_code == 200


def test_reactivating_gives_the_access_back_with_the_role(agency_a, client_as, unscoped):
    membership = membership_of(agency_a, agency_a.manager)
    services.member_deactivate(agency=agency_a.agency, membership=membership, by=agency_a.owner)
    answer = client_as(agency_a.owner).post(power_url(membership, "reactivate"), {"post": "yes"}, follow=True)
    assert f"{agency_a.manager.email} is active in this agency again." in messages_of(answer)
    assert membership_of(agency_a, agency_a.manager).is_active
    home = client_as(agency_a.manager).get("/admin/")
    assert home.context["caller"].role == "manager"


def test_deactivating_and_reactivating_are_in_the_audit_trail(agency_a, client_as):
    membership = membership_of(agency_a, agency_a.viewer)
    owner = client_as(agency_a.owner)
    owner.post(power_url(membership, "deactivate"), {"post": "yes"})
    owner.post(CHANGELIST, {"action": "reactivate_members", "_selected_action": [membership.pk], "index": 0})
    with scopes_disabled():
        versions = list(membership.history.order_by("history_id").values_list("is_active", "history_user"))
    assert versions[-2:] == [(False, agency_a.owner.pk), (True, agency_a.owner.pk)]


def test_the_last_active_owner_cannot_be_deactivated_and_nobody_deactivates_themselves(agency_a, client_as, unscoped):
    other = second_owner(agency_a)
    owner = client_as(agency_a.owner)
    refused = owner.post(power_url(membership_of(agency_a, agency_a.owner), "deactivate"), {"post": "yes"},
                         follow=True)
    assert "You cannot deactivate yourself: another owner of the agency can." in messages_of(refused)
    assert owner.post(power_url(other, "deactivate"), {"post": "yes"}).status_code == 302
    assert not refreshed(other).is_active

    # Now the first owner is the only active one: even someone else cannot deactivate them.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.member_deactivate(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.owner),
                                   by=agency_a.manager)
    assert error.value.message_dict == {"is_active": [
        "owner.a@example.com is the agency's only active owner and cannot be deactivated: make someone else owner "
        "first."]}
    # Nor demoted or removed: the deactivated owner is not the owner the agency keeps.
    with pytest.raises(ValidationError):
        services.member_change_role(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.owner),
                                    role="manager")
    with pytest.raises(ValidationError):
        services.members_remove(agency=agency_a.agency, memberships=[membership_of(agency_a, agency_a.owner)])
    assert membership_of(agency_a, agency_a.owner).is_active and membership_of(agency_a, agency_a.owner).role == (
        "owner")


def test_deactivating_a_selection_is_all_or_none(agency_a, client_as):
    other = second_owner(agency_a)
    client = client_as(other.user)
    selected = [membership_of(agency_a, agency_a.viewer).pk, membership_of(agency_a, agency_a.owner).pk, other.pk]
    answer = client.post(CHANGELIST, {"action": "deactivate_members", "_selected_action": selected, "index": 0},
                         follow=True)
    assert any(message.startswith("Nothing was done") for message in messages_of(answer))
    with scopes_disabled():
        assert Membership.objects.filter(agency=agency_a.agency, is_active=False).count() == 0


def test_a_deactivated_operator_keeps_their_stores_but_takes_no_new_one(agency_a, unscoped):
    services.member_deactivate(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.operator),
                               by=agency_a.owner)
    # The stores they had: a change that keeps them passes (an ERP's PUT of what it read).
    services.store_update(agency=agency_a.agency, store=agency_a.assigned_store, operators=[agency_a.operator],
                          notes="kept")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.store_assign_operators(agency=agency_a.agency, store=agency_a.other_store,
                                        operators=[agency_a.operator])
    assert refused.value.message_dict == {"operators": [
        "Deactivated in this agency, so not given new stores: operator a."]}
    assert set(Store.objects.get(pk=agency_a.other_store.pk).operators.all()) == set()
    with pytest.raises(ValidationError):
        StoreAssignment(agency=agency_a.agency, store=agency_a.other_store, user=agency_a.operator).full_clean()


def form_data(page):
    """What a browser sends back for an admin change page left as it is: the form's and its inlines' values."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({field.html_name: field.value() for field in formset.management_form})
        forms += formset.forms
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    return data


def test_a_store_page_with_a_deactivated_operator_still_saves_and_keeps_them(agency_a, client_as, unscoped):
    services.member_deactivate(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.operator),
                               by=agency_a.owner)
    manager = client_as(agency_a.manager)
    url = reverse("admin:accounts_store_change", args=[agency_a.assigned_store.pk])
    page = manager.get(url)
    assert str(agency_a.operator) in page.content.decode()  # the row still names them
    saved = manager.post(url, {**form_data(page), "notes": "checked"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    store = Store.objects.get(pk=agency_a.assigned_store.pk)
    assert store.notes == "checked" and list(store.operators.all()) == [agency_a.operator]


# -- unlocking -----------------------------------------------------------------------------------------------

def test_an_owner_unlocks_a_member_locked_out_from_any_address(agency_a, client_as, settings):
    lock_out(settings, agency_a.viewer.email, address="198.51.100.20")
    lock_out(settings, agency_a.viewer.email.upper(), address="203.0.113.9")
    membership = membership_of(agency_a, agency_a.viewer)
    answer = client_as(agency_a.owner).post(power_url(membership, "unlock"), {"post": "yes"}, follow=True)
    assert f"{agency_a.viewer.email} can sign in again: their failed sign-ins are forgotten." in messages_of(answer)
    assert not AccessAttempt.objects.filter(username=agency_a.viewer.email).exists()
    for address in ("198.51.100.20", "203.0.113.9"):
        client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
        assert sign_in(client, agency_a.viewer.email, PASSWORD).status_code == 302
    with scopes_disabled():
        assert membership.history.order_by("-history_id").first().history_change_reason == "Sign-in lockout lifted"


def test_unlocking_one_member_leaves_the_lockout_of_others(agency_a, client_as, settings):
    lock_out(settings, agency_a.viewer.email)
    lock_out(settings, agency_a.manager.email)
    client_as(agency_a.owner).post(CHANGELIST, {"action": "unlock_members", "index": 0,
                                                "_selected_action": [membership_of(agency_a, agency_a.viewer).pk]})
    assert sign_in(browser(), agency_a.viewer.email, PASSWORD).status_code == 302
    assert sign_in(browser(), agency_a.manager.email, PASSWORD).status_code == 429


# -- only owners, only their own agency ----------------------------------------------------------------------

POWERS = ("reset_password", "deactivate", "reactivate", "unlock")
ACTIONS = ("reset_passwords", "deactivate_members", "reactivate_members", "unlock_members")


@pytest.mark.parametrize("role", ["manager", "operator", "viewer"])
def test_managers_operators_and_viewers_are_offered_nothing_and_their_forged_posts_change_nothing(
        agency_a, client_as, role, settings):
    lock_out(settings, agency_a.idle_operator.email)
    target = membership_of(agency_a, agency_a.idle_operator)
    client = client_as(agency_a.staff[role])
    # Who may not open the member list at all gets a 403 for it; who may, sees no action nor button.
    listing = client.get(CHANGELIST)
    assert listing.status_code in (200, 403)
    assert not any(action in listing.content.decode() for action in ACTIONS)
    page = client.get(reverse("admin:accounts_membership_change", args=[target.pk]))
    assert page.status_code in (200, 403) and (page.status_code == 403 or buttons_of(page) == [])

    for power in POWERS:
        assert client.get(power_url(target, power)).status_code == 403
        assert client.post(power_url(target, power), {"post": "yes"}).status_code == 403
    for action in ACTIONS:
        assert client.post(CHANGELIST, {"action": action, "_selected_action": [target.pk],
                                        "index": 0}).status_code == 403
    person = refreshed(agency_a.idle_operator)
    assert person.check_password(PASSWORD) and not person.must_change_password
    assert refreshed(target).is_active
    assert AccessAttempt.objects.filter(username=agency_a.idle_operator.email).exists()


def test_an_owner_sees_the_actions_and_the_buttons_that_apply(agency_a, client_as, unscoped):
    owner = client_as(agency_a.owner)
    listing = owner.get(CHANGELIST).content.decode()
    assert all(action in listing for action in ACTIONS)
    target = membership_of(agency_a, agency_a.viewer)
    page = owner.get(reverse("admin:accounts_membership_change", args=[target.pk]))
    assert buttons_of(page) == [power_url(target, power) for power in ("reset_password", "deactivate", "unlock")]
    assert all(f'href="{url}"' in page.content.decode() for url in buttons_of(page))
    services.member_deactivate(agency=agency_a.agency, membership=target, by=agency_a.owner)
    page = owner.get(reverse("admin:accounts_membership_change", args=[target.pk]))
    assert buttons_of(page) == [power_url(target, power) for power in ("reset_password", "reactivate", "unlock")]
    own = owner.get(reverse("admin:accounts_membership_change", args=[membership_of(agency_a, agency_a.owner).pk]))
    assert buttons_of(own) == []


def test_another_agencys_owner_reaches_none_of_a_members_powers(agency_a, agency_b, client_as, settings, unscoped):
    lock_out(settings, agency_a.viewer.email)
    target = membership_of(agency_a, agency_a.viewer)
    client = client_as(agency_b.owner)
    for power in POWERS:
        assert client.get(power_url(target, power)).status_code == 404
        assert client.post(power_url(target, power), {"post": "yes"}).status_code == 404
    for action in ACTIONS:
        client.post(CHANGELIST, {"action": action, "_selected_action": [target.pk], "index": 0})
    person = refreshed(agency_a.viewer)
    assert person.check_password(PASSWORD) and not person.must_change_password
    assert refreshed(target).is_active
    assert AccessAttempt.objects.filter(username=agency_a.viewer.email).exists()
    with pytest.raises(Membership.DoesNotExist):
        services.member_deactivate(agency=agency_b.agency, membership=target, by=agency_b.owner)


# -- choosing a new password by email ------------------------------------------------------------------------

def test_the_sign_in_page_offers_to_choose_a_new_password_by_email(db):
    page = browser().get(reverse("admin:login"))
    assert reverse("admin_password_reset") in page.content.decode()


def reset_link(message):
    return re.search(r"https?://[^/\s]+(/admin/reset/[^\s\"<]+)", message.body).group(1)


def test_forgotten_password_sends_one_email_with_a_working_link(agency_a, settings, unscoped):
    User.objects.filter(pk=agency_a.manager.pk).update(language="en")
    lock_out(settings, agency_a.manager.email)
    services.member_reset_password(agency=agency_a.agency, membership=membership_of(agency_a, agency_a.manager),
                                   by=agency_a.owner)
    visitor = browser()
    form = visitor.get(reverse("admin_password_reset"))
    assert form.status_code == 200 and "Store health back-office" in text_of(form)
    answer = visitor.post(reverse("admin_password_reset"), {"email": "  Manager.A@Example.com "})
    assert answer.status_code == 302 and answer["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["manager.a@example.com"]
    assert sent.alternatives and "Store health back-office" in sent.subject

    link = visitor.get(reset_link(sent), follow=True)
    assert link.status_code == 200 and "new_password1" in link.content.decode()
    chosen = visitor.post(link.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert chosen.status_code == 302 and chosen["Location"] == reverse("password_reset_complete")

    person = refreshed(agency_a.manager)
    assert person.check_password(NEW_PASSWORD) and not person.must_change_password
    assert sign_in(browser(), agency_a.manager.email, NEW_PASSWORD).status_code == 302  # and no longer locked
    assert visitor.get(reset_link(sent), follow=True).context["validlink"] is False  # the link worked once


@pytest.mark.parametrize("address", ["nobody@example.com", "vıewer.a@example.com", "inactive@example.com"])
def test_forgotten_password_answers_the_same_for_an_address_without_an_active_account(agency_a, address):
    UserFactory(email="inactive@example.com", is_active=False)
    known = browser().post(reverse("admin_password_reset"), {"email": agency_a.viewer.email})
    unknown = browser().post(reverse("admin_password_reset"), {"email": address})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mail.outbox] == [[agency_a.viewer.email]]
    done = browser().get(unknown["Location"])
    assert done.status_code == 200


@pytest.mark.parametrize(("language", "product"), [("zh-hans", "店铺健康管理后台"), ("en", "Store health back-office")])
def test_the_password_email_is_in_the_persons_language(agency_a, language, product):
    User.objects.filter(pk=agency_a.viewer.pk).update(language=language)
    browser().post(reverse("admin_password_reset"), {"email": agency_a.viewer.email})
    assert product in mail.outbox[0].subject and product in mail.outbox[0].body


def test_the_agencys_language_is_the_emails_when_the_person_chose_none(agency_a):
    agency_a.agency.default_language = "zh-hans"
    agency_a.agency.save()
    User.objects.filter(pk=agency_a.viewer.pk).update(language="", active_agency=agency_a.agency)
    DjangoClient(HTTP_ACCEPT_LANGUAGE="en").post(reverse("admin_password_reset"), {"email": agency_a.viewer.email})
    assert "店铺健康管理后台" in mail.outbox[0].subject


# -- rough edges ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "product", "lasts"), [("en", "Store health back-office", "1 hour"),
                                                            ("zh-hans", "店铺健康管理后台", "1 小时")])
def test_the_lockout_page_names_the_product_and_how_long_the_lock_lasts(agency_a, settings, language, product,
                                                                        lasts):
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR="198.51.100.20")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, agency_a.viewer.email, "wrong")
    page = sign_in(client, agency_a.viewer.email, PASSWORD)
    assert page.status_code == 429
    text = text_of(page).replace("\xa0", " ")
    assert product in text and lasts in text
    assert reverse("admin_password_reset") in text


def test_the_confirmation_after_switching_agency_names_the_agency(agency_a, agency_b, client_as):
    MembershipFactory(agency=agency_b.agency, user=agency_a.manager, role="viewer")
    answer = client_as(agency_a.manager).post(reverse("admin:switch_agency"), {"agency": agency_b.agency.pk},
                                              follow=True)
    assert "You are now working in Agency B." in messages_of(answer)


def test_the_admin_site_registers_the_member_powers():
    membership_admin = site._registry[Membership]
    assert set(ACTIONS) <= set(membership_admin.actions)
