"""Writes of agencies, memberships, clients, stores and API keys.

Each service validates the whole change before it writes anything and raises Django's ``ValidationError``
(with field names) when it must refuse; views turn that into a 400 or a form error.
"""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, selectors
from .models import (
    Agency,
    ApiKey,
    ApiKeyAccess,
    Client,
    Membership,
    Store,
    StoreAssignment,
    User,
    people_with_roles,
)
from .roles import Role


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
    was given) and ``None`` when the user already existed and kept theirs.
    """
    if role not in Role.values:
        raise ValidationError({"role": [_("“%(value)s” is not a role. Choose one of: %(choices)s.")
                                        % {"value": role, "choices": ", ".join(Role.values)}]})
    email = User.objects.normalize_email(email or "").lower()
    user = User.objects.filter(email__iexact=email).first()
    new_password = None
    if user is None:
        user = User(email=email, full_name=full_name, is_staff=True)
        user.full_clean(exclude=["password"])
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from None
        new_password = password or generate_password()
        user.set_password(new_password)
        user.save()
    membership = Membership.objects.filter(agency=agency, user=user).first()
    if membership is None:
        membership = Membership(agency=agency, user=user, role=role)
        membership.full_clean()
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
    """Give a member another role; the agency's only owner keeps theirs (``rules.owner_errors``)."""
    if membership.agency_id != agency.pk:
        raise Membership.DoesNotExist
    _lock_owners(agency)
    membership.role = role
    membership.full_clean()
    membership.save()
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
    for membership in memberships:
        membership.delete()


@transaction.atomic
def client_create(*, agency, **fields):
    client = Client(agency=agency, **fields)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, agency, client, **fields):
    if client.agency_id != agency.pk:
        raise Client.DoesNotExist
    for name, value in fields.items():
        setattr(client, name, value)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_delete(*, agency, client):
    """Remove a client; refused while it still has stores (they would lose their owner)."""
    if client.agency_id != agency.pk:
        raise Client.DoesNotExist
    if Store.objects.filter(agency=agency, client=client).exists():
        raise ValidationError({"client": [_("Client “%(name)s” still has stores; move or close them first.")
                                          % {"name": client.name}]})
    client.delete()


def _check_operators(agency, operators):
    messages = rules.operator_errors(people=people_with_roles(agency=agency, users=list(operators)))
    if messages:
        raise ValidationError({"operators": messages})


def _set_operators(agency, store, operators):
    wanted = {user.pk for user in operators}
    StoreAssignment.objects.filter(agency=agency, store=store).exclude(user_id__in=wanted).delete()
    existing = set(StoreAssignment.objects.filter(agency=agency, store=store).values_list("user_id", flat=True))
    StoreAssignment.objects.bulk_create(
        [StoreAssignment(agency=agency, store=store, user_id=pk) for pk in sorted(wanted - existing)]
    )


@transaction.atomic
def store_create(*, agency, operators=None, **fields):
    store = Store(agency=agency, **fields)
    store.full_clean()
    if operators is not None:
        _check_operators(agency, operators)
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
        _check_operators(agency, operators)
    store.save()
    if operators is not None:
        _set_operators(agency, store, operators)
    return store


@transaction.atomic
def store_assign_operators(*, agency, store, operators):
    if store.agency_id != agency.pk:
        raise Store.DoesNotExist
    _check_operators(agency, operators)
    _set_operators(agency, store, operators)


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
