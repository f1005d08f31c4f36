"""The rules every ingested row obeys, whichever way it came in (the bulk API, Amazon's report, a CSV file).

A row is a dict: the store (``store``: its id, or ``seller_id`` + ``marketplace``), the ``date`` (YYYY-MM-DD, the
marketplace's day), any metric keys of ``health.metrics`` and, from Amazon's report only, ``report_targets``.
Values come typed (JSON: a string is not a number, a boolean is not a number) or as text (a CSV's cells: ``''``
is "no data", numbers are parsed).

``check_row`` looks at one row alone and gives back what can be staged, or its errors; what needs the database
(which store a reference names, and so the marketplace whose "today" bounds the date) is judged for the whole
batch at once by ``health.ingestion.stage``, with ``store_errors`` and ``date_error`` of this module. Each value
rule is a small function that returns the value as stored or raises ``Invalid``: few Python operations per
value, since a batch is thousands of rows of two dozen values.
"""

import re
from datetime import date

import msgspec
from django.utils.translation import gettext_lazy as _

from accounts import marketplaces

from .. import metrics
from ..metrics import Condition, Kind, ReportStatus
from .results import RowError

#: Where a row names its store.
STORE, SELLER_ID, MARKETPLACE, DATE, REPORT_TARGETS = "store", "seller_id", "marketplace", "date", "report_targets"
#: The longest status string a snapshot keeps (the model's columns).
STATUS_MAX_LENGTH = 32
#: The largest count (PostgreSQL's integer).
COUNT_MAX = 2_147_483_647
#: The longest warning type kept.
WARNING_TYPE_MAX_LENGTH = 100
#: The largest store id a reference may carry (a bigint); a larger number names no store.
STORE_ID_MAX = 2**63 - 1

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REPORT_STATUSES = frozenset(ReportStatus.values)
_CONDITIONS = frozenset(Condition.values)
_NUMBER = (int, float)
_encode = msgspec.json.encode


class Invalid(Exception):
    """A value its rule refuses; ``message`` names it."""

    def __init__(self, message):
        self.message = message


def shown(value):
    """A value as a message names it: text in quotes, shortened; anything else as JSON would write it."""
    if isinstance(value, str):
        return f"“{value[:60]}”" + ("…" if len(value) > 60 else "")
    if isinstance(value, date):
        return value.isoformat()
    try:
        text = _encode(value).decode()
    except (TypeError, ValueError, OverflowError):
        text = repr(value)
    return text[:60] + ("…" if len(text) > 60 else "")


# -- the value rules, typed (JSON) -----------------------------------------------------------------------------
def rate(value):
    if value is None:
        return None
    if type(value) in _NUMBER and 0 <= value <= 1:
        return float(value)
    raise Invalid(_("%(value)s is not a rate from 0 to 1.") % {"value": shown(value)})


def _whole(value, highest):
    kind = type(value)
    if kind is int or (kind is float and value.is_integer()):
        if 0 <= value <= highest:
            return int(value)
    raise Invalid(None)


def score(value):
    if value is None:
        return None
    try:
        return _whole(value, metrics.AHR_MAX)
    except Invalid:
        raise Invalid(_("%(value)s is not a whole number from 0 to %(max)s.")
                      % {"value": shown(value), "max": metrics.AHR_MAX}) from None


def count(value):
    if value is None:
        return None
    try:
        return _whole(value, COUNT_MAX)
    except Invalid:
        raise Invalid(_("%(value)s is not a count (a whole number of 0 or more).") % {"value": shown(value)}) from None


def status(value):
    if value is None:
        return None
    if type(value) is str:
        text = value.strip()
        if 0 < len(text) <= STATUS_MAX_LENGTH and "\x00" not in text:
            return text
    raise Invalid(_("%(value)s is not a status (text of 1 to %(max)s characters).")
                  % {"value": shown(value), "max": STATUS_MAX_LENGTH})


def _is_warning(entry):
    return (type(entry) is dict and len(entry) == 2 and entry.get("status") in _REPORT_STATUSES
            and type(entry.get("type")) is str and 0 < len(entry["type"]) <= WARNING_TYPE_MAX_LENGTH
            and "\x00" not in entry["type"])


def warnings(value):
    """A list of ``{"type": text, "status": GOOD|BAD|NONE}``; stored as JSON text."""
    if value is None:
        return None
    if type(value) is list and all(_is_warning(entry) for entry in value):
        return _encode(value).decode()
    raise Invalid(_('%(value)s is not a list of warnings ({"type": text, "status": GOOD, BAD or NONE}).')
                  % {"value": shown(value)})


# -- the same rules for a CSV's text -----------------------------------------------------------------------------
def _parsed(parse, rule, text):
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        value = parse(text)
    except ValueError:
        return rule(text)  # refused, naming the text
    try:
        return rule(value)
    except Invalid:
        # Refused as parsed ("nan" read as a float, "2" as 2.0): the message names what the file says.
        return rule(text)


def _json_text(text):
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        raise ValueError(text) from None


#: The highest whole number of the kinds that take whole numbers (``score``, ``count``).
_HIGHEST = {Kind.SCORE: metrics.AHR_MAX, Kind.COUNT: COUNT_MAX}
TYPED_RULES = {Kind.RATE: rate, Kind.SCORE: score, Kind.COUNT: count, Kind.STATUS: status, Kind.WARNINGS: warnings}
TEXT_RULES = {
    Kind.RATE: lambda text: _parsed(float, rate, text),
    Kind.SCORE: lambda text: _parsed(int, score, text),
    Kind.COUNT: lambda text: _parsed(int, count, text),
    Kind.STATUS: lambda text: status(text.strip() or None) if isinstance(text, str) else status(text),
    Kind.WARNINGS: lambda text: _parsed(_json_text, warnings, text),
}


# -- report targets ----------------------------------------------------------------------------------------------
#: The targets a report may give, by the kind of metric: a rate's within its scale, a count's not below zero (a
#: report's target wins over the agency's, so a target out of range would turn any value green).
_TARGET_RANGES = {Kind.RATE: (0, 1), Kind.SCORE: (0, metrics.AHR_MAX), Kind.COUNT: (0, float("inf"))}


def _report_target(key, entry):
    if type(entry) is not dict or not entry or not entry.keys() <= {"target", "condition", "status"}:
        return None
    target, condition, verdict = entry.get("target"), entry.get("condition"), entry.get("status")
    if target is not None and (type(target) not in _NUMBER or target != target or abs(target) == float("inf")):
        return None
    lowest, highest = _TARGET_RANGES.get(metrics.BY_KEY[key].kind, (float("-inf"), float("inf")))
    if target is not None and not lowest <= target <= highest:
        return None
    if condition is not None and condition not in _CONDITIONS:
        return None
    if verdict is not None and verdict not in _REPORT_STATUSES:
        return None
    return {"target": target, "condition": condition, "status": verdict}


def report_targets(value):
    """``{metric key: {"target": number, "condition": LESS_THAN|GREATER_THAN|EQUALS, "status": GOOD|BAD|NONE}}``
    (each part may be missing or null); stored as JSON text with every part present."""
    if value is None:
        return None
    if type(value) is dict:
        cleaned = {key: _report_target(key, entry) if key in metrics.BY_KEY else None for key, entry in value.items()}
        if all(entry is not None for entry in cleaned.values()):
            return _encode(cleaned).decode()
    raise Invalid(_('%(value)s is not a set of report targets ({metric: {"target": number, "condition": '
                    'LESS_THAN, GREATER_THAN or EQUALS, "status": GOOD, BAD or NONE}}).') % {"value": shown(value)})


# -- dates -------------------------------------------------------------------------------------------------------
def parse_date(value, cache):
    """The ``date`` of a YYYY-MM-DD text (or a ``date``); ``cache`` holds the texts seen in this batch."""
    found = cache.get(value) if type(value) is str else None
    if found is not None:
        return found
    if type(value) is date:
        return value
    if type(value) is str and _DATE.fullmatch(value):
        try:
            cache[value] = parsed = date.fromisoformat(value)
            return parsed
        except ValueError:
            pass
    raise Invalid(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": shown(value)})


def date_error(index, day, *, today, marketplace):
    """The error of a date after today in the store's marketplace, else ``None``."""
    if day > today:
        return RowError(index, DATE, _("%(value)s is after today (%(today)s) in the store's marketplace "
                                       "(%(marketplace)s).")
                        % {"value": day.isoformat(), "today": today.isoformat(), "marketplace": marketplace})
    return None


# -- store references --------------------------------------------------------------------------------------------
def unknown_store(index, value):
    """Unknown, of another agency or beyond the caller: all are answered alike."""
    return RowError(index, STORE, _("No store with id %(value)s.") % {"value": shown(value)})


def unknown_seller(index, seller_id, marketplace):
    return RowError(index, SELLER_ID, _("No store with seller id %(seller_id)s on marketplace %(marketplace)s.")
                    % {"seller_id": shown(seller_id), "marketplace": marketplace})


def _store_id(value, text):
    if text and type(value) is str:
        try:
            value = int(value.strip())
        except ValueError:
            return None
    if type(value) is int and 0 < value <= STORE_ID_MAX:
        return value
    return None


class RowChecker:
    """Checks rows one by one (``check``), as typed values or as text, for one source.

    ``check`` answers ``(errors, reference, day, values, named, targets)``: ``reference`` is ``("id", store id)``
    or ``("seller", seller id, marketplace code)`` (``None`` when the row names no usable store), ``values`` the
    metrics in the vocabulary's order as stored, ``named`` a bit mask of the metrics the row names (the others keep
    what is stored for that day), ``targets`` the report targets as JSON text or ``None``.
    """

    def __init__(self, *, text=False, takes_report_targets=False):
        rules = TEXT_RULES if text else TYPED_RULES
        self.text = text
        self.takes_report_targets = takes_report_targets
        #: key → (position, bit, rule, is a rate, highest whole number or None): typed rates and whole numbers
        #: within bounds, by far the most values, are taken without a call (the bounds of ``rate`` and ``_whole``).
        self.metric_rules = {
            metric.key: (position, 1 << position, rules[metric.kind], metric.kind == Kind.RATE,
                         _HIGHEST.get(metric.kind))
            for position, metric in enumerate(metrics.all_metrics())
        }
        self.fast = not text
        self.width = len(self.metric_rules)
        self.dates = {}

    def check(self, index, row):
        if type(row) is not dict:
            return [RowError(index, "non_field_errors", _("%(value)s is not a snapshot (an object of fields).")
                             % {"value": shown(row)})], None, None, None, 0, None
        errors = []
        values = [None] * self.width
        named = 0
        targets = None
        metric_rules = self.metric_rules
        fast = self.fast
        for key, value in row.items():
            found = metric_rules.get(key)
            if found is not None:
                position, bit, rule, is_rate, highest = found
                named |= bit
                if fast:
                    kind = type(value)
                    if kind is float and is_rate and 0.0 <= value <= 1.0:
                        values[position] = value
                        continue
                    if kind is int and highest is not None and 0 <= value <= highest:
                        values[position] = value
                        continue
                try:
                    values[position] = rule(value)
                except Invalid as problem:
                    errors.append(RowError(index, key, problem.message))
            elif key in (STORE, SELLER_ID, MARKETPLACE, DATE):
                continue
            elif key == REPORT_TARGETS and self.takes_report_targets:
                try:
                    targets = report_targets(value)
                except Invalid as problem:
                    errors.append(RowError(index, key, problem.message))
            elif key == REPORT_TARGETS:
                errors.append(RowError(index, key, _("report_targets come only with Amazon's report.")))
            else:
                errors.append(RowError(index, str(key), _("Unknown field %(value)s.") % {"value": shown(key)}))

        day = None
        raw_date = row.get(DATE)
        if raw_date is None or raw_date == "":
            errors.append(RowError(index, DATE, _("A date is needed (YYYY-MM-DD).")))
        else:
            try:
                day = parse_date(raw_date.strip() if self.text and type(raw_date) is str else raw_date, self.dates)
            except Invalid as problem:
                errors.append(RowError(index, DATE, problem.message))

        reference = self._reference(index, row, errors)
        return errors, reference, day, values, named, targets

    def _reference(self, index, row, errors):
        store, seller_id, marketplace = row.get(STORE), row.get(SELLER_ID), row.get(MARKETPLACE)
        if self.text:
            store, seller_id, marketplace = (value.strip() if isinstance(value, str) else value
                                             for value in (store, seller_id, marketplace))
        store = None if store == "" else store
        seller_id = None if seller_id == "" else seller_id
        marketplace = None if marketplace == "" else marketplace
        if store is not None and (seller_id is not None or marketplace is not None):
            errors.append(RowError(index, STORE, _("Name the store by store or by seller_id and marketplace, "
                                                    "not both.")))
            return None
        if store is not None:
            store_id = _store_id(store, self.text)
            if store_id is None:
                errors.append(unknown_store(index, store))
            return None if store_id is None else ("id", store_id)
        if seller_id is None and marketplace is None:
            errors.append(RowError(index, STORE, _("Name the store: store, or seller_id and marketplace.")))
            return None
        if marketplace is None:
            errors.append(RowError(index, MARKETPLACE, _("A marketplace is needed with seller_id.")))
            return None
        if seller_id is None:
            errors.append(RowError(index, SELLER_ID, _("A seller_id is needed with marketplace.")))
            return None
        found = named_marketplace(marketplace)
        if found is None:
            errors.append(RowError(index, MARKETPLACE, _("%(value)s is not a marketplace (a code such as US or "
                                                          "DE, or an Amazon marketplace id).")
                                   % {"value": shown(marketplace)}))
            return None
        if type(seller_id) is not str or "\x00" in seller_id or len(seller_id) > 100:
            errors.append(unknown_seller(index, seller_id, found.code))
            return None
        return ("seller", seller_id.strip(), found.code)


def named_marketplace(value):
    """The marketplace a row names (a code or an Amazon marketplace id), or ``None``."""
    if type(value) is not str or "\x00" in value:
        return None
    return marketplaces.marketplace(value)
