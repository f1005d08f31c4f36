"""The rules a store, a client and a membership must satisfy: pure functions over values, no database.

What a rule needs to know about the rest of the agency (is this seller id taken? how many other owners are
there?) is found by the model's ``clean()`` and handed in as a value, so that each rule is tested at its
boundaries without a database, and every path (admin forms, the API, services, commands, imports) reaches it
through ``full_clean()``. Each returns the field errors as ``{field: [message]}`` (empty when allowed) in the
active language, naming the value it refuses.
"""

from django.utils.translation import gettext as _

from . import marketplaces
from .roles import Power, Role, powers_of


def store_errors(*, marketplace, registered_on, today, seller_id, seller_id_taken):
    """A store's own rules.

    * ``marketplace`` must be one this product knows (a code or an Amazon marketplace id);
    * ``registered_on`` may be ``today`` (the agency's today) but not later;
    * ``seller_id`` may have one store per marketplace in an agency: ``seller_id_taken`` says another store of
      the agency has it on ``marketplace`` already.
    """
    errors = {}
    if marketplace and marketplaces.marketplace(marketplace) is None:
        errors["marketplace"] = [_("“%(value)s” is not an Amazon marketplace this product knows.")
                                 % {"value": marketplace}]
    if registered_on and today and registered_on > today:
        errors["registered_on"] = [_("The registration date %(date)s is in the future.")
                                   % {"date": registered_on.isoformat()}]
    if seller_id_taken and "marketplace" not in errors:
        errors["seller_id"] = [_("Seller id %(seller_id)s already has a store on marketplace %(marketplace)s "
                                 "in this agency.") % {"seller_id": seller_id, "marketplace": marketplace}]
    return errors


def client_errors(*, name, name_taken):
    """A client's name is unique in its agency: ``name_taken`` says another client of the agency has it."""
    if name and name_taken:
        return {"name": [_("A client named “%(name)s” already exists in this agency.") % {"name": name}]}
    return {}


def member_errors(*, email, is_member):
    """A person is a member of an agency once: ``is_member`` says ``email`` is one already."""
    if is_member:
        return {"email": [_("%(email)s is already a member of this agency.") % {"email": email}]}
    return {}


def assignment_errors(*, store, people):
    """A person is responsible for a store once: ``people`` are the names of those who already are, for
    ``store`` (its name)."""
    if people:
        return [_("Already responsible for store %(store)s: %(people)s.") % {"store": store,
                                                                             "people": ", ".join(people)}]
    return []


def operator_errors(*, people):
    """Messages about people who cannot be made responsible for the agency's stores; empty when all can.

    ``people`` is ``[(name, role)]`` with ``role`` ``None`` for someone who is not a member of the agency.
    Only members whose role may take stores can (owners, managers, operators); viewers read only.
    """
    messages = []
    strangers = [name for name, role in people if role is None]
    if strangers:
        messages.append(_("Not a member of this agency: %(people)s.") % {"people": ", ".join(strangers)})
    readers = [name for name, role in people if role is not None and Power.TAKE_STORES not in powers_of(role)]
    if readers:
        messages.append(_("Viewers cannot be responsible for a store: %(people)s.") % {"people": ", ".join(readers)})
    return messages


def owner_errors(*, role_before, role_after, other_owners):
    """An agency always keeps an owner: a membership that is the agency's only owner (``other_owners`` is 0)
    may not become another role, nor be removed (``role_after`` ``None``)."""
    if role_before == Role.OWNER and role_after != Role.OWNER and other_owners == 0:
        if role_after is None:
            return {"role": [_("This is the agency's only owner: make someone else owner first.")]}
        label = Role(role_after).label if role_after in Role.values else role_after
        return {"role": [_("This is the agency's only owner and cannot become %(role)s: make someone else owner "
                           "first.") % {"role": label}]}
    return {}


def removal_errors(*, owners, owners_leaving):
    """Removing people from an agency (or deleting them) is refused when all ``owners`` of the agency are among
    them (``owners_leaving``): the agency would be left without an owner."""
    if not owners_leaving or owners_leaving < owners:
        return {}
    if owners_leaving == 1:
        return owner_errors(role_before=Role.OWNER, role_after=None, other_owners=0)
    return {"role": [_("These are all the owners of the agency: keep one of them, or make someone else owner "
                       "first.")]}
