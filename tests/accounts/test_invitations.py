"""People join an agency by invitation: the owner types an address and passes the link on; the agency learns
nothing about the person behind the address (whether they have an account, their name, language, last sign-in)
until they accept."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts import services
from accounts.models import Invitation, Membership, User

INVITE = "/admin/accounts/invitation/add/"


def invite(client, email, role="operator"):
    """The owner's answer to inviting ``email``, and the link the email to that address carries."""
    sent = len(mail.outbox)
    response = client.post(INVITE, {"email": email, "role": role}, follow=True)
    assert response.status_code == 200, response.content[:500]
    assert len(mail.outbox) == sent + 1, "one email to the invited address"
    message = mail.outbox[-1]
    assert message.to == [email.strip().lower()]
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    assert link not in text_of(response), "the owner never sees the link"
    return response, link


def path_of(link):
    return "/" + link.split("/", 3)[3]


def text_of(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def person_of_b(agency_b):
    """Someone of agency B with a name, a language and a last sign-in of their own."""
    person = agency_b.viewer
    person.full_name, person.language = "Secret Name Of B", "en"
    person.last_login = timezone.now() - datetime.timedelta(days=3)
    person.save()
    return person


def test_inviting_someone_of_another_agency_reveals_nothing_about_them(agency_a, person_of_b, client_as, unscoped):
    owner = client_as(agency_a.owner)
    known, known_link = invite(owner, person_of_b.email.upper())
    unknown, unknown_link = invite(owner, "nobody.yet@example.com")

    assert known_link and unknown_link
    # The same answer whether the address has an account or not, but for the address and the link.
    def shape(response, email, link):
        return text_of(response).replace(email, "EMAIL").replace(link, "LINK")
    assert shape(known, person_of_b.email, known_link).count("EMAIL") == shape(
        unknown, "nobody.yet@example.com", unknown_link).count("EMAIL")

    invitation = Invitation.objects.get(agency=agency_a.agency, email=person_of_b.email)
    pages = [known, owner.get(reverse("admin:accounts_invitation_changelist")),
             owner.get(reverse("admin:accounts_invitation_change", args=[invitation.pk])),
             owner.get(reverse("admin:accounts_membership_changelist")),
             owner.get(reverse("admin:accounts_user_changelist"))]
    for page in pages:
        text = text_of(page)
        assert "Secret Name Of B" not in text
        assert "Agency B" not in text
    # Not a member until they accept: nothing of theirs is listed among the agency's people.
    assert not Membership.objects.filter(agency=agency_a.agency, user=person_of_b).exists()
    assert owner.get(reverse("admin:accounts_user_change", args=[person_of_b.pk])).status_code == 404


def test_the_invited_person_signs_in_as_the_address_and_accepts(agency_a, person_of_b, client_as, unscoped):
    _, link = invite(client_as(agency_a.owner), person_of_b.email, role="manager")
    url = path_of(link)

    anonymous = client_as(agency_a.viewer)
    anonymous.logout()
    page = anonymous.get(url)
    assert page.status_code == 200 and f"Sign in as {person_of_b.email} to accept" in text_of(page)
    assert anonymous.post(url).status_code == 200
    assert not Membership.objects.filter(agency=agency_a.agency, user=person_of_b).exists()

    someone_else = client_as(agency_a.operator)
    assert f"Sign in as {person_of_b.email} to accept" in text_of(someone_else.get(url))
    someone_else.post(url)
    assert not Membership.objects.filter(agency=agency_a.agency, user=person_of_b).exists()

    invitee = client_as(person_of_b)
    assert "Accept the invitation" in text_of(invitee.get(url))
    accepted = invitee.post(url)
    assert accepted.status_code == 302 and accepted["Location"] == reverse("admin:index")
    assert Membership.objects.get(agency=agency_a.agency, user=person_of_b).role == "manager"
    person_of_b.refresh_from_db()
    assert person_of_b.active_agency == agency_a.agency
    assert Invitation.objects.get(agency=agency_a.agency, email=person_of_b.email).state == "accepted"

    # The link works once.
    assert invitee.get(url).status_code == 404


def test_a_new_address_chooses_a_password_that_passes_the_rules_and_is_signed_in(agency_a, client_as, unscoped):
    _, link = invite(client_as(agency_a.owner), "New.Person@Example.com")
    url = path_of(link)
    visitor = client_as(agency_a.viewer)
    visitor.logout()

    weak = visitor.post(url, {"full_name": "New Person", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "password1" in weak.context["form"].errors
    differ = visitor.post(url, {"full_name": "New Person", "password1": "a-Long-pass-2026!",
                                "password2": "another-pass-2026!"})
    assert "password2" in differ.context["form"].errors
    assert not User.objects.filter(email="new.person@example.com").exists()

    done = visitor.post(url, {"full_name": "New Person", "password1": "a-Long-pass-2026!",
                              "password2": "a-Long-pass-2026!"})
    assert done.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-Long-pass-2026!") and user.full_name == "New Person"
    assert Membership.objects.get(agency=agency_a.agency, user=user).role == "operator"
    assert visitor.get(reverse("admin:index")).status_code == 200  # signed in, in the agency


@pytest.mark.parametrize("spoil", ["expire", "revoke", "garble"])
def test_an_expired_revoked_or_garbled_link_is_a_404_that_says_so(agency_a, client_as, unscoped, spoil):
    made = []
    with scopes_disabled():
        invitation = services.invitation_create(agency=agency_a.agency, email="late@example.com", role="viewer",
                                                link_for=made.append)
    token = made[0]
    if spoil == "expire":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    elif spoil == "revoke":
        services.invitation_revoke(agency=agency_a.agency, invitation=invitation)
    else:
        token = token[:-3] + "xyz"
    visitor = client_as(agency_a.viewer)
    visitor.logout()
    page = visitor.get(reverse("invitation", args=[token]))
    assert page.status_code == 404
    assert "This invitation link is unknown, was used already, was revoked or has expired" in text_of(page)
    assert visitor.post(reverse("invitation", args=[token]),
                        {"password1": "a-Long-pass-2026!", "password2": "a-Long-pass-2026!"}).status_code == 404
    assert not User.objects.filter(email="late@example.com").exists()


def test_inviting_a_member_again_is_an_error_on_the_address(agency_a, client_as, unscoped):
    response = client_as(agency_a.owner).post(INVITE, {"email": agency_a.operator.email.upper(), "role": "viewer"})
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not Invitation.objects.filter(agency=agency_a.agency).exists()


def test_inviting_the_same_address_again_replaces_the_earlier_link(agency_a, client_as, unscoped):
    owner = client_as(agency_a.owner)
    _, first = invite(owner, "twice@example.com")
    _, second = invite(owner, "twice@example.com")
    visitor = client_as(agency_a.viewer)
    visitor.logout()
    assert visitor.get(path_of(first)).status_code == 404
    assert visitor.get(path_of(second)).status_code == 200


def test_only_owners_invite_and_adding_a_member_is_inviting(agency_a, client_as):
    assert client_as(agency_a.manager).get(INVITE).status_code == 403
    assert client_as(agency_a.manager).get("/admin/accounts/membership/add/").status_code == 403
    redirect = client_as(agency_a.owner).get("/admin/accounts/membership/add/")
    assert redirect.status_code == 302 and redirect["Location"] == INVITE


def test_the_password_rules_speak_the_visitors_language(agency_a, client_as, unscoped):
    _, link = invite(client_as(agency_a.owner), "zh.reader@example.com")
    visitor = client_as(agency_a.viewer)
    visitor.logout()
    visitor.cookies["django_language"] = "zh-hans"
    weak = visitor.post(path_of(link), {"password1": "short1", "password2": "short1"})
    assert "密码长度太短。密码必须包含至少 8 个字符。" in weak.context["form"].errors["password1"]


def test_the_email_has_a_plain_text_and_an_html_part_in_the_agencys_language(agency_a, client_as, unscoped):
    agency_a.agency.default_language = "zh-hans"
    agency_a.agency.save()
    _, link = invite(client_as(agency_a.owner), "bilingual@example.com")
    message = mail.outbox[-1]
    html_part, kind = message.alternatives[0]
    assert kind == "text/html" and link in html_part
    assert "邀请" in message.subject and "邀请" in message.body


def test_the_owner_who_opens_their_own_invitation_cannot_take_the_address(agency_a, client_as, unscoped):
    """The link goes to the address only: the owner's pages never show it, so they cannot choose the password
    of an account for someone else's address."""
    owner = client_as(agency_a.owner)
    response, link = invite(owner, "someone.else@example.com")
    token = link.rstrip("/").rsplit("/", 1)[1]
    for page in (response, owner.get(reverse("admin:accounts_invitation_changelist"))):
        assert token not in text_of(page) and token.split(".")[1] not in text_of(page)


def test_a_mail_server_that_refuses_the_invitation_keeps_nothing_and_says_why(agency_a, client_as, settings,
                                                                             unscoped):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    response = client_as(agency_a.owner).post(INVITE, {"email": "unlucky@example.com", "role": "viewer"},
                                              follow=True)
    assert response.status_code == 200
    assert "The invitation could not be sent to unlucky@example.com" in text_of(response)
    assert not Invitation.objects.filter(email="unlucky@example.com").exists()
