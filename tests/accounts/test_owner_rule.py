"""An agency always keeps an owner: on every path that changes a role or removes a person.

The rule itself is ``accounts.rules.owner_errors`` (tested without a database in ``test_rules.py``); here each
path that reaches it (services, the membership admin's form, delete page and bulk delete, the platform's
deletion of a person) is shown to refuse, to leave the database as it was, and to allow the same change once
a second owner exists.
"""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from accounts import services
from accounts.models import Membership, User
from tests.factories import MembershipFactory, UserFactory


def membership_of(persona, user):
    return Membership.objects.get(agency=persona.agency, user=user)


def roles_in(persona):
    """``{email: role}`` of the agency's members, read from the database."""
    return dict(Membership.objects.filter(agency=persona.agency).values_list("user__email", "role"))


def text_of(response):
    """The page as a reader sees its words (entities such as ``&#x27;`` decoded)."""
    return html.unescape(response.content.decode())


def second_owner(persona):
    return MembershipFactory(agency=persona.agency, user=UserFactory(email="second.owner@example.com"),
                             role="owner")


# -- services ------------------------------------------------------------------------------------------------

def test_the_only_owner_cannot_be_given_another_role(agency_a):
    with agency_a.scope(), override("en"):
        membership = membership_of(agency_a, agency_a.owner)
        with pytest.raises(ValidationError) as refused:
            services.member_change_role(agency=agency_a.agency, membership=membership, role="viewer")
        assert refused.value.message_dict == {"role": [
            "This is the agency's only owner and cannot become Viewer: make someone else owner first."]}
        assert roles_in(agency_a)["owner.a@example.com"] == "owner"


def test_adding_the_only_owner_again_with_another_role_cannot_demote_them(agency_a):
    with agency_a.scope():
        with pytest.raises(ValidationError) as refused:
            services.member_add(agency=agency_a.agency, email="owner.a@example.com", role="viewer",
                                change_role=True)
        assert list(refused.value.message_dict) == ["role"]
        assert roles_in(agency_a)["owner.a@example.com"] == "owner"


def test_an_owner_with_a_second_owner_may_be_given_another_role(agency_a):
    second_owner(agency_a)
    with agency_a.scope():
        membership = membership_of(agency_a, agency_a.owner)
        services.member_change_role(agency=agency_a.agency, membership=membership, role="viewer")
        roles = roles_in(agency_a)
    assert roles["owner.a@example.com"] == "viewer"
    assert roles["second.owner@example.com"] == "owner"


def test_the_only_owner_cannot_be_removed(agency_a):
    with agency_a.scope():
        membership = membership_of(agency_a, agency_a.owner)
        with pytest.raises(ValidationError) as refused:
            services.members_remove(agency=agency_a.agency, memberships=[membership])
        assert list(refused.value.message_dict) == ["role"]
        assert roles_in(agency_a)["owner.a@example.com"] == "owner"


def test_removing_both_owners_at_once_is_refused_and_removes_nobody(agency_a):
    other = second_owner(agency_a)
    with agency_a.scope():
        before = roles_in(agency_a)
        leaving = [membership_of(agency_a, agency_a.owner), other, membership_of(agency_a, agency_a.viewer)]
        with pytest.raises(ValidationError) as refused:
            services.members_remove(agency=agency_a.agency, memberships=leaving)
        assert list(refused.value.message_dict) == ["role"]
        assert roles_in(agency_a) == before


def test_one_of_two_owners_may_be_removed(agency_a):
    second_owner(agency_a)
    with agency_a.scope():
        services.members_remove(agency=agency_a.agency, memberships=[membership_of(agency_a, agency_a.owner)])
        roles = roles_in(agency_a)
    assert "owner.a@example.com" not in roles
    assert roles["second.owner@example.com"] == "owner"


# -- the membership admin, as agency A's owner -----------------------------------------------------------------

def change_url(membership):
    return reverse("admin:accounts_membership_change", args=[membership.pk])


def delete_url(membership):
    return reverse("admin:accounts_membership_delete", args=[membership.pk])


CHANGELIST = reverse("admin:accounts_membership_changelist")


def test_the_only_owner_demoting_themselves_in_the_admin_gets_a_form_error_on_role(agency_a, client_as, unscoped):
    membership = membership_of(agency_a, agency_a.owner)
    response = client_as(agency_a.owner).post(change_url(membership), {"role": "viewer", "_save": "Save"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"] == [
        "This is the agency's only owner and cannot become Viewer: make someone else owner first."]
    assert roles_in(agency_a)["owner.a@example.com"] == "owner"


def test_the_owner_demotes_themselves_in_the_admin_once_there_is_a_second_owner(agency_a, client_as, unscoped):
    second_owner(agency_a)
    membership = membership_of(agency_a, agency_a.owner)
    response = client_as(agency_a.owner).post(change_url(membership), {"role": "viewer", "_save": "Save"})
    assert response.status_code == 302
    assert roles_in(agency_a)["owner.a@example.com"] == "viewer"


def test_the_delete_page_of_the_only_owner_says_why_and_deletes_nothing(agency_a, client_as, unscoped):
    membership = membership_of(agency_a, agency_a.owner)
    client = client_as(agency_a.owner)
    page = client.get(delete_url(membership))
    assert page.status_code == 200
    assert "This is the agency's only owner: make someone else owner first." in text_of(page)

    response = client.post(delete_url(membership), {"post": "yes"})
    assert response.status_code == 200
    assert "This is the agency's only owner" in text_of(response)
    assert Membership.objects.filter(pk=membership.pk, role="owner").exists()


def test_bulk_deleting_a_selection_with_the_only_owner_deletes_nothing(agency_a, client_as, unscoped):
    before = roles_in(agency_a)
    selected = [membership_of(agency_a, agency_a.owner).pk, membership_of(agency_a, agency_a.viewer).pk]
    response = client_as(agency_a.owner).post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 200
    assert "This is the agency's only owner" in text_of(response)
    assert roles_in(agency_a) == before


def test_bulk_deleting_a_selection_without_an_owner_deletes_it(agency_a, client_as, unscoped):
    viewer = membership_of(agency_a, agency_a.viewer)
    response = client_as(agency_a.owner).post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [viewer.pk], "post": "yes"})
    assert response.status_code == 302
    roles = roles_in(agency_a)
    assert "viewer.a@example.com" not in roles
    assert roles["owner.a@example.com"] == "owner"


# -- the platform deleting a person ----------------------------------------------------------------------------

@pytest.fixture
def platform_in_agency_a(agency_a, client_as):
    """A platform superuser (not a member of agency A) working in agency A."""
    client = client_as(UserFactory(email="root@platform.example", is_superuser=True))
    assert client.post(reverse("admin:switch_agency"), {"agency": agency_a.agency.pk}).status_code == 302
    return client


def test_the_platform_cannot_delete_the_only_owner_of_an_agency_and_the_page_says_why(
        agency_a, platform_in_agency_a, unscoped):
    url = reverse("admin:accounts_user_delete", args=[agency_a.owner.pk])
    page = platform_in_agency_a.get(url)
    assert page.status_code == 200
    assert "Agency A: This is the agency's only owner: make someone else owner first." in text_of(page)

    response = platform_in_agency_a.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Agency A: This is the agency's only owner" in text_of(response)
    assert User.objects.filter(pk=agency_a.owner.pk).exists()
    assert roles_in(agency_a)["owner.a@example.com"] == "owner"


def test_the_platform_deletes_a_viewer_of_an_agency(agency_a, platform_in_agency_a, unscoped):
    url = reverse("admin:accounts_user_delete", args=[agency_a.viewer.pk])
    response = platform_in_agency_a.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=agency_a.viewer.pk).exists()
    assert "viewer.a@example.com" not in roles_in(agency_a)


def test_the_platform_cannot_delete_all_the_owners_of_an_agency_at_once(agency_a, agency_b, platform_in_agency_a,
                                                                        unscoped):
    """Two owners, each not the only one, selected together with a viewer of another agency: deleting them would
    leave agency A without an owner, so nobody is deleted."""
    other = second_owner(agency_a)
    selected = [agency_a.owner.pk, other.user.pk, agency_b.viewer.pk]
    response = platform_in_agency_a.post(reverse("admin:accounts_user_changelist"),
                                         {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 200
    assert "Agency A: These are all the owners of the agency" in text_of(response)
    assert User.objects.filter(pk__in=selected).count() == 3
    assert roles_in(agency_a)["owner.a@example.com"] == "owner"

    # One of the two owners alone may go: the other stays.
    response = platform_in_agency_a.post(reverse("admin:accounts_user_changelist"),
                                         {"action": "delete_selected", "_selected_action": [other.user.pk],
                                          "post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=other.user.pk).exists()
