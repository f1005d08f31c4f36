"""One metric over one month, for many stores at once (``metric_months``): the figures of the monthly review, from
the days that reported it. Pure: values in, JSON-ready dicts out; each day's colour is ``health.thresholds``'
verdict, never judged here.

The rules of the month (decided here, for every metric of the vocabulary alike):

1. A day without the metric (no snapshot, or a snapshot without that value) is "no data": it is neither red nor
   yellow, and it does not count in ``days_reported``.
2. ``month_end`` is the value of the last day of the month that reported it; ``colour`` is that day's verdict
   ("no_data" when no day reported it), so a metric last seen red on the 20th is still red at month end.
3. ``worst`` is the worst value the month reported, in the direction the metric is bad: the lowest Account Health
   Rating, the highest of a rate held below its target (a Late Shipment Rate), the lowest of one held above it (a
   Valid Tracking Rate), the highest policy count. A status or the warnings have no direction: their worst is the
   value of the day with the worst verdict (the latest such day).
4. ``change`` is ``month_end`` minus the last value the previous month reported (numbers only: ``None`` for a
   status, the warnings, or when either month reported nothing).
5. A policy count is judged against the count of the previous day that reported it, the previous month's last
   count for the month's first (``health.thresholds`` rule 7). A count last reported before the previous month is
   not looked for (snapshots are daily): the first day of such a store is judged as a count seen first.

A day is judged by ``DayJudge``, which remembers each verdict: a month repeats the same values (a count of 0, a
NORMAL status) on most days, and 10,000 stores need each distinct value judged once, not 300,000 times.
"""

import bisect
import json
import operator
from collections import Counter
from itertools import compress, repeat

from health import metrics
from health import thresholds as health_thresholds
from health.metrics import Condition, Kind
from health.thresholds import Colour

#: The metrics whose values are numbers: they have a ``change``.
NUMERIC_KINDS = frozenset({Kind.SCORE, Kind.RATE, Kind.COUNT})


def lowest_is_worst(key):
    """Whether the lowest value of ``key`` is its worst (``None``: the metric has no direction)."""
    found = metrics.metric(key)
    if found.kind == Kind.SCORE:
        return True
    if found.kind == Kind.RATE:
        return found.condition == Condition.GREATER_THAN
    if found.kind == Kind.COUNT:
        return False
    return None


#: The most verdicts one ``DayJudge`` remembers, and the most rule sets ``judge_for`` keeps a judge for: a worker
#: opening cycles all day keeps its memory bounded.
REMEMBERED_VERDICTS = 200_000
REMEMBERED_RULES = 16
_judges = {}


def judge_for(rules):
    """The ``DayJudge`` of ``rules`` (``Thresholds``), shared by the calls that judge under the same numbers: a
    cycle's summaries are computed a chunk of stores at a time, and each chunk meets the values the previous one
    judged. Verdicts are pure functions of the numbers and the values, so sharing them is safe."""
    key = repr(rules)  # every field of the frozen dataclass: equal numbers, equal text
    judge = _judges.get(key)
    if judge is None:
        if len(_judges) >= REMEMBERED_RULES:
            _judges.pop(next(iter(_judges)))
        judge = _judges[key] = DayJudge(rules)
    return judge


class DayJudge:
    """The colour ``health.thresholds.evaluate_metric`` gives a day's value under ``rules`` (the agency's
    ``Thresholds``), each distinct ``(key, value, report target, previous count)`` judged once.

    Values are as read from the database; the warnings come as their JSON text (hashable, parsed only when a new
    text is judged) and a report's target as a ``(target, condition)`` pair or ``None``."""

    def __init__(self, rules):
        self.rules = rules
        self._colours = {}

    def colour(self, key, value, report_target=None, previous=None):
        remembered = (key, value, report_target, previous)
        found = self._colours.get(remembered)
        if found is None:
            if len(self._colours) >= REMEMBERED_VERDICTS:
                self._colours.clear()
            if key == "warning_states" and isinstance(value, str):
                value = json.loads(value)
            target = None if report_target is None else {"target": report_target[0], "condition": report_target[1]}
            found = Colour(health_thresholds.evaluate_metric(key, value, thresholds=self.rules, report_target=target,
                                                             previous=previous).colour).value
            self._colours[remembered] = found
        return found


def store_layout(stores):
    """``(first, days)``: the index of each store's first snapshot in ``stores`` (a sequence in store order) and
    how many it has."""
    return dict(zip(reversed(stores), reversed(range(len(stores))), strict=True)), Counter(stores)


def metric_months(key, stores, values, *, judge, before, report_targets=None, layout=None):
    """The month of metric ``key`` for many stores at once: ``stores`` and ``values`` are parallel sequences over the
    month's snapshots in store then date order (a value ``None``: not reported that day), ``before`` maps a store to
    its previous month's last reported value, ``report_targets`` maps the index of a snapshot in those sequences to
    the report's target for ``key`` that day, ``layout`` is ``store_layout(stores)`` when the caller has it. Returns
    ``{store: figures}`` (``{"month_end", "worst", "colour", "change", "days_red", "days_yellow",
    "days_reported"}``) of the stores that reported ``key`` at least once; ``no_data()`` is the figures of the
    others. The warnings come as their JSON text (hashable: judged once per distinct text) and leave as their list.

    The work is done a column at a time, every store's days together, in as few passes over the column as the
    month allows: each distinct day is judged once, and a column all of one colour is not coloured day by day."""
    kind = metrics.metric(key).kind
    missing = values.count(None)
    if missing == len(values):
        return {}
    rows = None  # the index of each reported day among the snapshots; None: every snapshot reported it
    if missing:
        present = list(map(operator.is_not, values, repeat(None)))
        rows = list(compress(range(len(values)), present))
        stores, values = list(compress(stores, present)), list(compress(values, present))
        layout = None
    first, days_reported = layout or store_layout(stores)
    previous = None
    if kind == Kind.COUNT:
        # Each day is judged against the count of the day before it that reported one; a store's first day
        # against the previous month's.
        previous = [None, *values[:-1]]
        for store, position in first.items():
            previous[position] = before.get(store)
        days = list(zip(values, previous, strict=True))
        verdicts = {day: judge.colour(key, day[0], None, day[1]) for day in set(days)}
    else:
        days = values
        verdicts = {value: judge.colour(key, value) for value in set(days)}
    found_colours = set(verdicts.values())
    colours = None if len(found_colours) == 1 and not report_targets else list(map(verdicts.__getitem__, days))
    for row, target in (report_targets or {}).items():
        position = row if rows is None else bisect.bisect_left(rows, row)
        if rows is None or (position < len(rows) and rows[position] == row):
            colours[position] = judge.colour(key, values[position], target,
                                             None if previous is None else previous[position])
            found_colours.add(colours[position])
    only = next(iter(found_colours)) if colours is None else None
    days_red = _days_of(Colour.RED, colours, only, found_colours, first, days_reported)
    days_yellow = _days_of(Colour.YELLOW, colours, only, found_colours, first, days_reported)
    worst = _worst_by_store(key, stores, values, colours, first, days_reported)
    numeric = kind in NUMERIC_KINDS
    stored = _warnings_from_text if kind == Kind.WARNINGS else None
    found = {}
    for store, count in days_reported.items():
        last = first[store] + count - 1
        end, earlier = values[last], before.get(store)
        most = end if worst is None else worst[store]
        found[store] = {
            "month_end": end if stored is None else stored(end),
            "worst": most if stored is None else stored(most),
            "colour": only if colours is None else colours[last],
            "change": round(end - earlier, 6) if numeric and earlier is not None else None,
            "days_red": days_red.get(store, 0), "days_yellow": days_yellow.get(store, 0), "days_reported": count,
        }
    return found


def no_data():
    """The figures of a metric no day of the month reported."""
    return {"month_end": None, "worst": None, "colour": Colour.NO_DATA.value, "change": None, "days_red": 0,
            "days_yellow": 0, "days_reported": 0}


def _days_of(colour, colours, only, found_colours, first, days_reported):
    """``{store: days of colour}`` (a store's days are one slice of ``colours``)."""
    if colour not in found_colours:
        return {}
    if colours is None:
        return days_reported if only == colour else {}
    return {store: colours[start:start + days_reported[store]].count(colour) for store, start in first.items()}


def _worst_by_store(key, stores, values, colours, first, days_reported):
    """``{store: worst value}``; ``None`` when each store's worst is its month end (no direction, one colour)."""
    lowest = lowest_is_worst(key)
    if lowest is not None:
        pick = min if lowest else max
        return {store: pick(values[start:start + days_reported[store]]) for store, start in first.items()}
    if colours is None:
        return None
    # No direction: the value of the latest day among those with the worst verdict.
    worst = {}
    for colour in (Colour.GREEN, Colour.YELLOW, Colour.RED):  # worse colours overwrite
        is_colour = list(map(operator.eq, colours, repeat(colour)))
        worst.update(zip(compress(stores, is_colour), compress(values, is_colour), strict=True))
    return worst


def _warnings_from_text(value):
    """The warnings as the summary keeps them: their list, from the JSON text they were judged by."""
    return json.loads(value) if isinstance(value, str) else value
