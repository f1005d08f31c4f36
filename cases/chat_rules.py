"""The numbers of the HR chat channel (DOMAIN.md, "Seller Support: cases and HR chat"), and the reason a rule gives
when it refuses a chat. Pure values: the rule modules (``cases.eligibility``, ``cases.quota``, ``cases.freeze``,
``cases.chat_window``) take a ``ChatRules`` as an argument; the agency's policy row builds it, and its defaults are
the seed article's numbers.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.functional import lazy

from alerts.rules import AlertKind

#: Amazon's sites that offer the chat channel: North America, the European sites and Japan; not India (IN), and not
#: the sites the seed article does not name (BR, TR, AU, SG and the Middle East), which an agency may add.
SUPPORTED_MARKETPLACES = frozenset({"US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP", "NL", "SE", "PL", "BE", "IE"})

#: The health policy counts (``health.metrics.COUNT_KEYS``) a rise of which is a major policy violation: Amazon's own
#: findings of infringement, counterfeits (authenticity), unsafe or restricted products. Received IP complaints,
#: condition complaints, listing and other violations and document requests are not: they are claims or paperwork
#: the store answers, not a finding against it.
MAJOR_VIOLATION_KEYS = (
    "suspected_ip_violations",
    "authenticity_complaints",
    "safety_complaints",
    "food_safety_issues",
    "restricted_product_violations",
)

#: The kinds of open red alert that close the channel (Amazon's "unresolved serious performance warning"): the
#: account's status, a BAD warning, a policy count, the Account Health Rating. A metric past its target (a late
#: shipment rate, ...) does not.
SERIOUS_ALERT_KINDS = frozenset({AlertKind.ACCOUNT_STATUS, AlertKind.WARNING, AlertKind.POLICY_COUNT, AlertKind.AHR})


@dataclass(frozen=True)
class ChatRules:
    """The agency's numbers for the chat channel.

    Periods of days ("the last 90 days") are that many agency days ending today, today included. The Account Health
    Rating is on Amazon's 0–1000 scale: 980 is the seed article's 98 %.
    """

    min_store_age_days: int = 180
    ahr_threshold: int = 980
    ahr_days: int = 90
    violation_days: int = 90
    bulk_deletion_days: int = 30
    chats_per_day: int = 3
    invalid_to_freeze: int = 2
    freeze_days: int = 7
    window_start: datetime.time = datetime.time(8)
    window_end: datetime.time = datetime.time(10)
    window_time_zone: str = "Asia/Shanghai"
    supported_marketplaces: frozenset = SUPPORTED_MARKETPLACES

    def __post_init__(self):
        # A window that crosses midnight would need two days' windows; nobody asked for one, so refuse it here
        # rather than answer a wrong window later.
        if self.window_end <= self.window_start:
            raise ValueError("The chat window must end after it starts, on the same day.")
        if self.invalid_to_freeze < 1:
            raise ValueError("A freeze needs at least one invalid inquiry.")


@dataclass(frozen=True)
class Reason:
    """Why a store may not chat now: a stable ``code`` (what the API and the tests read), the ``message`` a person
    can act on, and the ``params`` it names (days, dates, counts; JSON-ready but for dates).

    ``message`` is lazy: it is built in the reader's language when shown (``str(reason.message)``), not in the
    language active when the rule ran. Two reasons are equal when their code and params are.
    """

    code: str
    message: object = field(compare=False)
    params: dict = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, code, text, **params):
        """The reason ``code`` whose message is ``text(params)`` (a function that calls ``gettext``), built when
        read."""
        return cls(code, lazy(lambda: text(params), str)(), params)

    def __str__(self):
        return str(self.message)
