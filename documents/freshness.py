"""Freshness of appeal documents, and the appeal kit of a store: pure rules over values, no database.

A document is, on a given day (``document_freshness``):

* **expired** past its expiry date (the date itself is still good): an ID card or a business licence is then no
  longer usable, nor any paper that carries an expiry date;
* **stale** when its type ages by issue date (``FreshnessRule.ISSUED_WITHIN``: an address proof, an invoice, a card
  statement) and more than the agency's days have passed since it was issued (day 90 of 90 is fresh, day 91
  stale), or when such a paper has no issue date at all;
* **expiring soon** when the last day it is good falls within the agency's warning window (30 days by default),
  today included;
* **valid** otherwise.

A paper that both carries an expiry date and ages by issue date ends on the earlier of the two days, and that day
says whether it expired or went stale.

A store's **appeal kit** (``appeal_kit``) is the list of types it must have ready: for each, the freshest document
that serves the store decides; a type with no document is missing. Expired and stale papers alike are not ready.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .types import FreshnessRule


class State(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING_SOON = "expiring_soon", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    STALE = "stale", _("Stale")


class KitState(models.TextChoices):
    READY = "ready", _("Ready")
    EXPIRING_SOON = "expiring_soon", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    STALE = "stale", _("Stale")
    MISSING = "missing", _("Missing")


#: From best to worst: the freshest document of a type is the first in this order (then the one good the longest).
STATE_RANK = {State.VALID: 0, State.EXPIRING_SOON: 1, State.STALE: 2, State.EXPIRED: 3}
#: The kit's colours for the theme's labels.
TONES = {KitState.READY: "success", KitState.EXPIRING_SOON: "warning", KitState.EXPIRED: "danger",
         KitState.STALE: "danger", KitState.MISSING: "danger", State.VALID: "success"}


@dataclass(frozen=True)
class Freshness:
    """A document's state on a day, the last day it is good (``None``: no end), and a reason a person can read."""

    state: str
    good_until: datetime.date | None
    reason: str

    @property
    def is_ready(self):
        return self.state in (State.VALID, State.EXPIRING_SOON)


def _last_good_day(*, rule, issued_on, expires_on, max_age_days):
    """The last day the paper is good, and whether that day comes from its age (not its expiry date)."""
    by_age = None
    if rule == FreshnessRule.ISSUED_WITHIN and issued_on is not None and max_age_days is not None:
        by_age = issued_on + datetime.timedelta(days=max_age_days)
    if by_age is not None and (expires_on is None or by_age < expires_on):
        return by_age, True
    return expires_on, False


def document_freshness(*, rule, issued_on, expires_on, max_age_days, today, expiring_within_days):
    """The ``Freshness`` of a document of a type with ``rule`` (``max_age_days``: the agency's days for an
    ``ISSUED_WITHIN`` type) on ``today``, warning ``expiring_within_days`` ahead."""
    good_until, by_age = _last_good_day(rule=rule, issued_on=issued_on, expires_on=expires_on,
                                        max_age_days=max_age_days)
    # The earlier end decides: a bill that went stale in March and whose expiry date passed yesterday is stale.
    if good_until is not None and good_until < today and not by_age:
        return Freshness(State.EXPIRED, expires_on, _("Expired on %(date)s.") % {"date": expires_on.isoformat()})
    if rule == FreshnessRule.ISSUED_WITHIN and issued_on is None:
        return Freshness(State.STALE, None, _("No issue date: this paper is good for %(days)s days from the day it "
                                              "was issued.") % {"days": max_age_days})
    if good_until is None:
        return Freshness(State.VALID, None, _("Valid, with no expiry date."))
    if good_until < today:
        return Freshness(State.STALE, good_until,
                         _("Issued on %(issued)s, more than %(days)s days ago: stale since %(date)s.")
                         % {"issued": issued_on.isoformat(), "days": max_age_days,
                            "date": (good_until + datetime.timedelta(days=1)).isoformat()})
    days_left = (good_until - today).days
    if days_left <= expiring_within_days:
        if by_age:
            reason = _("Goes stale after %(date)s (%(days)s days left).")
        else:
            reason = _("Expires on %(date)s (%(days)s days left).")
        return Freshness(State.EXPIRING_SOON, good_until,
                         reason % {"date": good_until.isoformat(), "days": days_left})
    if by_age:
        return Freshness(State.VALID, good_until, _("Fresh until %(date)s.") % {"date": good_until.isoformat()})
    return Freshness(State.VALID, good_until, _("Valid until %(date)s.") % {"date": good_until.isoformat()})


@dataclass(frozen=True)
class KitItem:
    """One type of a store's appeal kit: its state, and the document that decides it (``None``: missing)."""

    type_code: str
    state: str
    document: object = None
    freshness: Freshness | None = None

    @property
    def is_ready(self):
        return self.state in (KitState.READY, KitState.EXPIRING_SOON)


@dataclass(frozen=True)
class AppealKit:
    """A store's appeal kit: one item per required type, in the kit's order."""

    items: tuple = field(default_factory=tuple)

    def _codes(self, *states):
        return [item.type_code for item in self.items if item.state in states]

    @property
    def missing(self):
        return self._codes(KitState.MISSING)

    @property
    def stale(self):
        """The types whose freshest paper is stale or expired."""
        return self._codes(KitState.STALE, KitState.EXPIRED)

    @property
    def expiring(self):
        return self._codes(KitState.EXPIRING_SOON)

    @property
    def is_ready(self):
        return all(item.is_ready for item in self.items)


_KIT_STATE = {State.VALID: KitState.READY, State.EXPIRING_SOON: KitState.EXPIRING_SOON,
              State.EXPIRED: KitState.EXPIRED, State.STALE: KitState.STALE}


def freshest(candidates):
    """The best of ``candidates`` (pairs of a document and its ``Freshness``): the best state, then the one good
    the longest (no end counts as longest); ``None`` when there is none."""
    def key(pair):
        freshness = pair[1]
        until = freshness.good_until or datetime.date.max
        return (STATE_RANK[freshness.state], -until.toordinal())
    return min(candidates, key=key, default=None)


def appeal_kit(*, required, documents):
    """The ``AppealKit`` of a store that must have the types ``required`` (codes, in order), given ``documents``:
    triples of (type code, document, ``Freshness``) of the documents that serve the store."""
    by_type = {}
    for type_code, document, freshness in documents:
        by_type.setdefault(type_code, []).append((document, freshness))
    items = []
    for code in required:
        best = freshest(by_type.get(code, ()))
        if best is None:
            items.append(KitItem(code, KitState.MISSING))
        else:
            items.append(KitItem(code, _KIT_STATE[best[1].state], best[0], best[1]))
    return AppealKit(tuple(items))
