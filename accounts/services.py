"""Writes of agencies, memberships, clients, stores and API keys.

Each service validates the whole change before it writes anything and raises Django's ``ValidationError``
(with field names) when it must refuse; views turn that into a 400 or a form error. A row that a unique constraint
guards is written inside ``duplicates_refused_on_fields``, so that the later of two identical writes made at the
same moment is refused with the same field error as validation gives (``accounts.duplicates``).
"""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from . import rules, selectors
from .duplicates import duplicates_refused_on_fields
from .invitation_mail import send_invitation
from .models import (
    Agency,
    ApiKey,
    ApiKeyAccess,
    Client,
    Invitation,
    Membership,
    Store,
    StoreAssignment,
    User,
    deactivated_members,
    normalise_email,
    people_with_roles,
)
from .platform.signin import unlock_login
from .roles import Power, Role, powers_of
from .tenancy import audit_origin, has_other_agencies


@transaction.atomic
def agency_create(*, slug, name, time_zone="Asia/Shanghai", default_language="zh-hans"):
    agency = Agency(slug=slug, name=name, time_zone=time_zone, default_language=default_language)
    agency.full_clean()
    agency.save()
    return agency


def generate_password():
    return secrets.token_urlsafe(12)


@transaction.atomic
def member_add(*, agency, email, role, password=None, full_name="", change_role=False):
    """Add a person to the agency with a role, creating their user if needed.

    A person who is a member already keeps their role unless ``change_role`` is given (then the role changes,
    and an agency's only owner cannot be demoted). A chosen ``password`` must pass the password validators.

    Returns ``(membership, password)``: the password is the one set for a new user (generated when none
    was given) and ``None`` when the user already existed and kept theirs. A generated password is a one-time
    password: the person must choose their own at the first sign-in.
    """
    if role not in Role.values:
        raise ValidationError({"role": [_("“%(value)s” is not a role. Choose one of: %(choices)s.")
                                        % {"value": role, "choices": ", ".join(Role.values)}]})
    email = normalise_email(User.objects.normalize_email(email or ""))
    user = selectors.account_of(email=email)
    new_password = None
    if user is None:
        user = User(email=email, full_name=full_name, is_staff=True)
        user.full_clean(exclude=["password"])
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from None
        if password is not None:
            new_password = password
            user.set_password(password)
        else:
            new_password = generate_password()
            user.set_one_time_password(new_password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Someone created this address's account meanwhile: add that person, who keeps their password.
            user, new_password = User.objects.get(email=email), None
    membership = Membership.objects.filter(agency=agency, user=user).first()
    if membership is None:
        membership = Membership(agency=agency, user=user, role=role)
        membership.full_clean()
        with duplicates_refused_on_fields(membership):
            membership.save()
    elif membership.role != role:
        if not change_role:
            raise ValidationError({"role": [
                _("%(email)s is already %(role)s of this agency; the role changes only when that is asked for "
                  "(addmember --change-role).")
                % {"email": user.email, "role": membership.get_role_display()}]})
        member_change_role(agency=agency, membership=membership, role=role)
    if user.active_agency_id is None:
        user.active_agency = agency
        user.save(update_fields=["active_agency"])
    return membership, new_password


@transaction.atomic
def member_change_role(*, agency, membership, role):
    """Give a member another role; the agency's only owner keeps theirs (``rules.owner_errors``). A role that
    may not take stores (a viewer's) ends the person's store assignments in the agency."""
    if membership.agency_id != agency.pk:
        raise Membership.DoesNotExist
    _lock_owners(agency)
    membership.role = role
    membership.full_clean()
    membership.save()
    if Power.TAKE_STORES not in powers_of(role):
        _end_assignments(agency, users=[membership.user_id])
    return membership


def _lock_owners(agency):
    """Lock the agency's owner memberships until the transaction ends, so that two owners demoting or removing
    each other at the same moment cannot both see the other one still there."""
    list(Membership.objects.select_for_update().filter(agency=agency, role=Role.OWNER).values_list("pk"))


@transaction.atomic
def members_remove(*, agency, memberships):
    """Remove people from the agency, all or none: refused when no owner would be left."""
    memberships = list(memberships)
    if any(membership.agency_id != agency.pk for membership in memberships):
        raise Membership.DoesNotExist
    _lock_owners(agency)
    errors = selectors.membership_removal_errors(agency=agency, memberships=memberships)
    if errors:
        raise ValidationError(errors)
    _end_assignments(agency, users=[membership.user_id for membership in memberships])
    for membership in memberships:
        membership.delete()


def _end_assignments(agency, *, users):
    """End every store assignment in the agency of ``users`` (ids): people who left the agency or whose role may
    not take stores are nobody's operator, and nothing of it comes back if they return. Deleting through the ORM
    gives each assignment its "-" row in the audit trail."""
    StoreAssignment.objects.filter(agency=agency, user_id__in=users).delete()


def _member_of(agency, membership):
    """The membership as it stands now, locked until the transaction ends; another agency's is not found."""
    if membership.agency_id != agency.pk:
        raise Membership.DoesNotExist
    return Membership.objects.select_for_update(of=("self",)).select_related("user").get(agency=agency,
                                                                                        pk=membership.pk)


def _record_in_audit_trail(membership, reason):
    """A historical row of the membership naming what was done to it (who did it comes from the request), for
    what changes nothing of the membership's own fields (a password reset, an unlock). ``reason`` is kept in
    English, marked for translation, so that each reader can read it in their language."""
    membership._change_reason = reason
    membership.save()


@transaction.atomic
def member_reset_password(*, agency, membership, by):
    """Give a member of the agency a new, generated one-time password: it works to sign in once, and then they
    must choose their own before anything else (``User.must_change_password``). Their sessions end (Django
    signs out every session of a changed password) and their sign-in lockout lifts, so that the new password
    works at once. Recorded in the membership's audit trail.

    Refused (``rules.password_reset_errors``) for ``by`` themselves and for an account that is not this agency's
    alone. Returns the password, which exists only in this return value: show it once to ``by``.
    """
    membership = _member_of(agency, membership)
    person = membership.user
    errors = rules.password_reset_errors(
        person=person.email, by_themselves=person.pk == by.pk,
        account_shared=person.is_superuser or has_other_agencies(person, agency=agency))
    if errors:
        raise ValidationError(errors)
    password = generate_password()
    person.set_one_time_password(password)
    person.save(update_fields=["password", "must_change_password"])
    unlock_login(person.email)
    _record_in_audit_trail(membership, gettext_noop("Password reset to a one-time password"))
    return password


@transaction.atomic
def account_set_password(*, user, password):
    """``user`` chose a new password themselves (through the link emailed to them): it is theirs, so a one-time
    password they had ends, and the sign-in lockout of their login lifts (they proved they read its mailbox).
    People are global: no agency is involved. ``password`` has passed the password rules (the form's)."""
    user.set_password(password)
    user.save(update_fields=["password", "must_change_password"])
    unlock_login(user.email)
    return user


@transaction.atomic
def member_deactivate(*, agency, membership, by):
    """Take away a member's access to the agency, and only to it: their account, their other agencies, their role
    and their store assignments stay; they are not offered for new assignments. Deactivating a deactivated member
    changes nothing.

    Refused (``rules.deactivation_errors``) for ``by`` themselves and for the agency's last active owner. The
    change of ``is_active`` is in the membership's audit trail.
    """
    _lock_owners(agency)
    membership = _member_of(agency, membership)
    if not membership.is_active:
        return membership
    errors = rules.deactivation_errors(
        person=membership.user.email, role=membership.role, by_themselves=membership.user_id == by.pk,
        other_active_owners=membership.other_owners().count())
    if errors:
        raise ValidationError(errors)
    membership.is_active = False
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def member_reactivate(*, agency, membership):
    """Give a deactivated member their access to the agency back, with the role they had. Recorded in the
    membership's audit trail; reactivating an active member changes nothing."""
    membership = _member_of(agency, membership)
    if not membership.is_active:
        membership.is_active = True
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def member_unlock(*, agency, membership):
    """Lift the sign-in lockout of a member (``accounts.platform.signin.unlock_login``: their login's failed
    sign-ins from every address are forgotten). Recorded in the membership's audit trail when something was
    forgotten. Returns how many lockout records were removed."""
    membership = _member_of(agency, membership)
    forgotten = unlock_login(membership.user.email)
    if forgotten:
        _record_in_audit_trail(membership, gettext_noop("Sign-in lockout lifted"))
    return forgotten


@transaction.atomic
def client_create(*, agency, **fields):
    client = Client(agency=agency, **fields)
    client.full_clean()
    with duplicates_refused_on_fields(client):
        client.save()
    return client


@transaction.atomic
def client_update(*, agency, client, **fields):
    if client.agency_id != agency.pk:
        raise Client.DoesNotExist
    for name, value in fields.items():
        setattr(client, name, value)
    client.full_clean()
    with duplicates_refused_on_fields(client):
        client.save()
    return client


@transaction.atomic
def client_delete(*, agency, client):
    """Remove a client; refused while it still has stores (they would lose their owner)."""
    if client.agency_id != agency.pk:
        raise Client.DoesNotExist
    refused = selectors.client_removal_errors(agency=agency, clients=[client])
    if refused:
        raise ValidationError({"client": refused})
    client.delete()


def _check_operators(agency, operators, *, store=None):
    """Refuse ``operators`` who may not be responsible for the agency's stores; of those not yet responsible for
    ``store`` (every one for a new store), also members deactivated in the agency."""
    operators = list(operators)
    already = set()
    if store is not None and store.pk is not None:
        already = set(StoreAssignment.objects.filter(agency=agency, store=store).values_list("user_id", flat=True))
    newcomers = [user for user in operators if user.pk not in already]
    messages = rules.operator_errors(people=people_with_roles(agency=agency, users=operators),
                                     deactivated=deactivated_members(agency=agency, users=newcomers))
    if messages:
        raise ValidationError({"operators": messages})


def _set_operators(agency, store, operators):
    """Make ``operators`` the store's operators, in the audit trail like a change in the admin: an ended
    assignment gets its "-" row as the ORM deletes it; new ones are inserted in one statement and their "+" rows
    in another, naming the person or the API key behind the request."""
    wanted = {user.pk for user in operators}
    StoreAssignment.objects.filter(agency=agency, store=store).exclude(user_id__in=wanted).delete()
    existing = set(StoreAssignment.objects.filter(agency=agency, store=store).values_list("user_id", flat=True))
    new = [StoreAssignment(agency=agency, store=store, user_id=pk) for pk in sorted(wanted - existing)]
    if new:
        with duplicates_refused_on_fields(*new):
            bulk_create_with_history(new, StoreAssignment, custom_historical_attrs=audit_origin())


@transaction.atomic
def store_create(*, agency, operators=None, **fields):
    store = Store(agency=agency, **fields)
    store.full_clean()
    if operators is not None:
        _check_operators(agency, operators)
    with duplicates_refused_on_fields(store):
        store.save()
    if operators:
        _set_operators(agency, store, operators)
    return store


@transaction.atomic
def store_update(*, agency, store, operators=None, **fields):
    if store.agency_id != agency.pk:
        raise Store.DoesNotExist
    for name, value in fields.items():
        setattr(store, name, value)
    store.full_clean()
    if operators is not None:
        _check_operators(agency, operators, store=store)
    with duplicates_refused_on_fields(store):
        store.save()
    if operators is not None:
        _set_operators(agency, store, operators)
    return store


@transaction.atomic
def store_assign_operators(*, agency, store, operators):
    if store.agency_id != agency.pk:
        raise Store.DoesNotExist
    _check_operators(agency, operators, store=store)
    _set_operators(agency, store, operators)


def _lock_stores(agency, store_ids):
    """``store_ids`` locked in id order until the transaction ends, so that two bulk changes of the same stores take
    turns. A store of another agency is answered as if it did not exist."""
    wanted = set(store_ids)
    locked = list(Store.objects.select_for_update().filter(agency=agency, pk__in=wanted).order_by("pk")
                  .values_list("pk", flat=True))
    if len(locked) != len(wanted):
        raise Store.DoesNotExist
    return locked


def _begin_assignments(agency, *, user, store_ids, by):
    """Make ``user`` responsible for the stores ``store_ids`` (locked) they are not responsible for yet: one
    statement for the assignments, one for their "+" rows in the audit trail, naming ``by`` (or the API key behind
    the request). Returns how many began."""
    already = set(StoreAssignment.objects.filter(agency=agency, user=user, store_id__in=store_ids)
                  .values_list("store_id", flat=True))
    new = [StoreAssignment(agency=agency, store_id=pk, user=user) for pk in store_ids if pk not in already]
    if new:
        with duplicates_refused_on_fields(*new):
            bulk_create_with_history(new, StoreAssignment, default_user=by, custom_historical_attrs=audit_origin())
    return len(new)


@transaction.atomic
def stores_assign(*, agency, stores, user, by=None):
    """Make ``user`` responsible for every one of ``stores`` as well (their other operators stay).

    Idempotent: a store ``user`` is responsible for already is left as it is. Refused on ``user``, with nothing
    written, when they may not take the agency's stores (``rules.operator_errors``). Takes the same few statements
    for 10 stores as for 10,000. Returns the number of stores newly assigned.
    """
    if isinstance(stores, QuerySet):
        store_ids = _lock_stores(agency, stores.order_by().prefetch_related(None).values_list("pk", flat=True))
    else:
        store_ids = _lock_stores(agency, [store.pk for store in stores])
    messages = rules.operator_errors(people=people_with_roles(agency=agency, users=[user]),
                                     deactivated=deactivated_members(agency=agency, users=[user]))
    if messages:
        raise ValidationError({"user": messages})
    return _begin_assignments(agency, user=user, store_ids=store_ids, by=by)


@transaction.atomic
def stores_hand_over(*, agency, from_user, to_user, by=None):
    """Hand every store ``from_user`` is responsible for in the agency over to ``to_user`` (someone leaves or moves
    on): ``from_user``'s assignments end and ``to_user``'s begin, together or not at all, each recorded in the audit
    trail naming ``by``. A store ``to_user`` already has stays theirs. Refused, with nothing written, by
    ``rules.hand_over_errors``. Returns the number of stores handed over.
    """
    (giver, giver_role), (receiver, receiver_role) = people_with_roles(agency=agency, users=[from_user, to_user])
    errors = rules.hand_over_errors(giver=giver, giver_role=giver_role, receiver=receiver, receiver_role=receiver_role,
                                    same_person=from_user.pk == to_user.pk,
                                    receiver_deactivated=bool(deactivated_members(agency=agency, users=[to_user])))
    if errors:
        raise ValidationError(errors)
    ending = list(StoreAssignment.objects.select_for_update().filter(agency=agency, user=from_user)
                  .order_by("store_id"))
    store_ids = _lock_stores(agency, [assignment.store_id for assignment in ending])
    _begin_assignments(agency, user=to_user, store_ids=store_ids, by=by)
    _end_recorded(ending, by=by)
    return len(ending)


def _end_recorded(assignments, *, by):
    """End ``assignments`` (loaded rows) in one statement, each with its "-" row in the audit trail naming ``by``
    also where no request names the person (a command, a task). simple-history writes a row per deleted row (it
    has no bulk delete); handing the loaded rows to Django's collector spares reading them again."""
    if not assignments:
        return
    if by is not None:
        for assignment in assignments:
            assignment._history_user = by
    collector = Collector(using=router.db_for_write(StoreAssignment))
    collector.collect(assignments)
    collector.delete()


@transaction.atomic
def api_key_create(*, agency, name, access=ApiKeyAccess.READ, created_by=None):
    """Issue a key. Returns ``(api_key, raw_key)``; the raw key exists only in this return value."""
    if access not in ApiKeyAccess.values:
        raise ValidationError({"access": [_("“%(value)s” is not an access level.") % {"value": access}]})
    prefix, secret = ApiKey.generate()
    api_key = ApiKey(agency=agency, name=name, access=access, prefix=prefix,
                     hashed_secret=ApiKey.hash_secret(secret), created_by=created_by)
    api_key.full_clean()
    api_key.save()
    return api_key, f"{prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, agency, api_key):
    """Revoke a key for good; revoking it again changes nothing."""
    if api_key.agency_id != agency.pk:
        raise ApiKey.DoesNotExist
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


#: How long an invitation's link works.
INVITATION_VALID_FOR = timedelta(days=7)


@transaction.atomic
def invitation_create(*, agency, email, role, link_for, invited_by=None):
    """Invite ``email`` to join the agency with ``role``: the address gets an email with a one-time link
    (``link_for(token)`` makes it absolute); the token exists nowhere else, so the agency never holds it.

    Whether ``email`` has an account, and anything about that account, plays no part: the agency learns nothing
    about the person until they accept. An earlier pending invitation of the same address is revoked. Returns
    the invitation.
    """
    email = User.objects.normalize_email(email or "").strip().lower()
    errors = rules.member_errors(email=email, is_member=selectors.is_member(agency=agency, email=email))
    if errors:
        raise ValidationError(errors)
    prefix, secret = ApiKey.generate()
    invitation = Invitation(agency=agency, email=email, role=role, prefix=prefix,
                            hashed_secret=ApiKey.hash_secret(secret), invited_by=invited_by,
                            expires_at=timezone.now() + INVITATION_VALID_FOR)
    invitation.full_clean()
    # At most one is pending per address (this rule), so this revokes one row, recorded in the audit trail.
    for earlier in Invitation.objects.filter(agency=agency, email=email, accepted_at=None, revoked_at=None):
        invitation_revoke(agency=agency, invitation=earlier)
    invitation.save()
    send_invitation(invitation=invitation, link=link_for(f"{prefix}.{secret}"))
    return invitation


@transaction.atomic
def invitation_revoke(*, agency, invitation):
    """Revoke an invitation for good; revoking it again, or once accepted, changes nothing."""
    if invitation.agency_id != agency.pk:
        raise Invitation.DoesNotExist
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _refuse_unless_pending(invitation):
    if not invitation.is_pending:
        raise ValidationError({"invitation": [_("This invitation is no longer valid.")]})


@transaction.atomic
def invitation_accept(*, agency, invitation, user):
    """``user`` (signed in as the invited address) joins the agency with the invited role; a member already
    keeps the role they have. Returns the membership."""
    if invitation.agency_id != agency.pk:
        raise Invitation.DoesNotExist
    invitation = Invitation.objects.select_for_update().get(agency=agency, pk=invitation.pk)
    _refuse_unless_pending(invitation)
    if user.email.lower() != invitation.email:
        raise ValidationError({"email": [_("This invitation is for %(email)s: sign in with that address to accept "
                                           "it.") % {"email": invitation.email}]})
    membership = Membership.objects.filter(agency=agency, user=user).first()
    if membership is None:
        membership = Membership(agency=agency, user=user, role=invitation.role)
        membership.full_clean()
        with duplicates_refused_on_fields(membership):
            membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    # They have just joined: the admin opens in this agency.
    user.active_agency = agency
    user.save(update_fields=["active_agency"])
    return membership


@transaction.atomic
def invitation_accept_with_new_account(*, agency, invitation, full_name, password):
    """Create the account of the invited address (nobody has it yet) with ``password``, which must pass the
    password rules, and accept the invitation with it. Returns the membership."""
    # The invitation first, locked: a second submit waits here and then finds it accepted.
    invitation = Invitation.objects.select_for_update().get(agency=agency, pk=invitation.pk)
    _refuse_unless_pending(invitation)
    if selectors.account_of(email=invitation.email) is not None:
        raise ValidationError({"email": [_("%(email)s has an account already: sign in to accept the "
                                           "invitation.") % {"email": invitation.email}]})
    user = User(email=invitation.email, full_name=full_name, is_staff=True)
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    return invitation_accept(agency=agency, invitation=invitation, user=user)
