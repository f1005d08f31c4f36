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


#: What working on a store lets one change of it: how it stands and the notes about it, not which seller account
#: it is (seller id, marketplace), whose (client), nor who is responsible for it (operators).
STORE_FIELDS_OF_THE_WORK = frozenset({"notes", "status"})


def store_fields_writable(*, powers, fields):
    """Which of a store's ``fields`` (names) a caller with ``powers`` may change, on a store it sees.

    * who manages the portfolio (owners, managers, read-write API keys, the product itself): every one;
    * who works on stores (operators, on the stores assigned to them): ``STORE_FIELDS_OF_THE_WORK``;
    * who only reads (viewers, read-only API keys): none.
    """
    if Power.MANAGE in powers:
        return frozenset(fields)
    if Power.WORK_ON_STORES in powers:
        return frozenset(fields) & STORE_FIELDS_OF_THE_WORK
    return frozenset()


def store_change_errors(*, powers, changed):
    """``{field: [message]}`` for each of the ``changed`` fields of a store that a caller with ``powers`` may not
    change (``store_fields_writable``); empty when it may change them all."""
    writable = store_fields_writable(powers=powers, fields=changed)
    return {name: [_("You may not change this field.")] for name in changed if name not in writable}


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


def operator_errors(*, people, deactivated=()):
    """Messages about people who cannot be made responsible for the agency's stores; empty when all can.

    ``people`` is ``[(name, role)]`` with ``role`` ``None`` for someone who is not a member of the agency.
    Only members whose role may take stores can (owners, managers, operators); viewers read only.
    ``deactivated`` names members deactivated in the agency who would newly become responsible: they have no
    access to it, so they take no new stores (the assignments they had stay).
    """
    messages = []
    strangers = [name for name, role in people if role is None]
    if strangers:
        messages.append(_("Not a member of this agency: %(people)s.") % {"people": ", ".join(strangers)})
    if deactivated:
        messages.append(_("Deactivated in this agency, so not given new stores: %(people)s.")
                        % {"people": ", ".join(deactivated)})
    readers = [name for name, role in people if role is not None and Power.TAKE_STORES not in powers_of(role)]
    if readers:
        messages.append(_("Viewers cannot be responsible for a store: %(people)s.") % {"people": ", ".join(readers)})
    return messages


def hand_over_errors(*, giver, giver_role, receiver, receiver_role, same_person, receiver_deactivated=False):
    """Handing every store of one person (``giver``, who leaves or moves on) over to another (``receiver``).

    Names and roles are values: a role is ``None`` for someone who is not a member of the agency; ``same_person``
    says giver and receiver are one person (two people may share a name). The giver must be a member (whose
    stores are the agency's to move); the receiver must be someone else who may be made responsible for stores
    (``operator_errors``: a member whose role takes stores, not deactivated). Returns
    ``{"from_user"|"to_user": [message]}``, empty when allowed.
    """
    errors = {}
    if giver_role is None:
        errors["from_user"] = [_("Not a member of this agency: %(people)s.") % {"people": giver}]
    if same_person:
        errors["to_user"] = [_("%(person)s cannot hand their stores over to themselves: choose someone else.")
                             % {"person": giver}]
        return errors
    messages = operator_errors(people=[(receiver, receiver_role)],
                               deactivated=[receiver] if receiver_deactivated else ())
    if messages:
        errors["to_user"] = messages
    return errors


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


def deactivation_errors(*, person, role, by_themselves, other_active_owners):
    """Deactivating ``person``'s membership (their ``role``): nobody deactivates themselves (they would lock
    themselves out of the agency), and an agency always keeps an active owner, the rule of ``owner_errors``
    (``other_active_owners`` is how many active owners it has besides this one)."""
    if by_themselves:
        return {"is_active": [_("You cannot deactivate yourself: another owner of the agency can.")]}
    if owner_errors(role_before=role, role_after=None, other_owners=other_active_owners):
        return {"is_active": [_("%(person)s is the agency's only active owner and cannot be deactivated: make "
                                "someone else owner first.") % {"person": person}]}
    return {}


def password_reset_errors(*, person, by_themselves, account_shared):
    """An owner resets the password of a member of their agency to a one-time password, which the owner reads.

    Refused for oneself (one's own password changes where the current one is asked, so that a stolen session is
    not enough to take the account), and for an account that is not the agency's alone (``account_shared``: the
    person belongs to another agency too, or runs the platform): its password opens more than this agency, so
    it is not one agency's owner to hold; that person resets it by email.
    """
    if by_themselves:
        return {"password": [_("Change your own password on the “Change password” page, which asks for the "
                               "current one.")]}
    if account_shared:
        return {"password": [_("The account of %(person)s is not this agency's alone, so its password is not "
                               "reset here: they can choose a new one by email, with “Forgotten your password or "
                               "username?” on the sign-in page.") % {"person": person}]}
    return {}


def client_removal_errors(*, name, has_stores):
    """A client is removed only without stores: its stores would lose the legal entity they belong to."""
    if has_stores:
        return {"client": [_("Client “%(name)s” still has stores; move or close them first.") % {"name": name}]}
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


def import_size_errors(*, rows, limit):
    """An import takes at most ``limit`` rows at a time (the ``IMPORT_MAX_ROWS`` setting): a file of more ``rows``
    is refused as a whole, on its file field, rather than imported in part."""
    if rows > limit:
        return {"import_file": [_("The file has more than %(limit)s rows; import at most %(limit)s rows at a time "
                                  "(split the file).") % {"limit": limit}]}
    return {}


def repeated_row_errors(*, rows):
    """A file names each store or client once. ``rows`` is ``[(row number, identity)]`` in the file's order, the
    identity ``None`` for a row that has none (it is refused for that). Returns ``{row number: message}`` for each
    row whose identity an earlier row has, naming that row."""
    first_row_of = {}
    errors = {}
    for number, identity in rows:
        if identity is None:
            continue
        if identity in first_row_of:
            errors[number] = _("Already on row %(row)s of this file (a file names each one once).") % {
                "row": first_row_of[identity]}
        else:
            first_row_of[identity] = number
    return errors
