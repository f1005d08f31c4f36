"""Demo data of the health app: 120 days of daily metrics for every store of the demo agency, then their evaluation.

Each store's metrics walk at random (a fixed seed: every load gives the same history) around healthy values; a few
stores drift into trouble over the last weeks, so that the dashboard, the charts and the alerts have something to
show: a Late Shipment Rate that climbs past 4%, an AHR that falls into the critical band, IP complaints that rise,
an account put AT_RISK, and two that only come close to their targets (yellow).

The history goes in as the ERP would send it (``services.snapshots_upsert``, source API) in a few batches, and the
stores are evaluated at once (``services.store_health_evaluate``) so the pages are filled when ``loaddemo`` ends.
``loaddemo`` loads the demo agency once; a second load of the same history would change nothing anyway (an upsert
of the same values rewrites no row).
"""

import datetime
import random

from accounts.models import Store

from . import services
from .models import Source

DAYS = 120
SEED = 20260116
BATCH_ROWS = 1200

#: Healthy values each metric walks around: (centre, daily step, lowest, highest).
HEALTHY = {
    "odr_mfn": (0.003, 0.0004, 0.0, 0.008),
    "odr_afn": (0.0015, 0.0002, 0.0, 0.006),
    "late_shipment_rate": (0.012, 0.0015, 0.0, 0.03),
    "cancel_rate": (0.006, 0.0008, 0.0, 0.018),
    "valid_tracking_rate": (0.985, 0.002, 0.965, 1.0),
    "on_time_delivery_rate": (0.96, 0.004, 0.93, 1.0),
    "unit_on_time_delivery_rate": (0.955, 0.004, 0.93, 1.0),
}
B2B_INVOICE_DEFECTS = (0.015, 0.002, 0.0, 0.035)

# The stores (by their position among the demo stores) that drift, and how.
LSR_CLIMBS, AHR_FALLS, IP_COMPLAINTS_RISE, ACCOUNT_AT_RISK, TRACKING_SLIPS, CANCELS_CLOSE = 1, 4, 7, 10, 13, 16


def _walk(rng, centre, step, low, high, days):
    """``days`` values of a random walk pulled back towards ``centre``, kept within ``low``–``high``."""
    value, values = centre, []
    for _day in range(days):
        value += rng.gauss(0, step) + (centre - value) * 0.15
        value = min(max(value, low), high)
        values.append(value)
    return values


def _drift(values, *, start, to):
    """``values`` drifting from their level at ``start`` (a day index) to ``to`` on the last day, their own noise
    fading as they go, so that the last day is ``to`` (the colour the demo means to show)."""
    days = len(values) - start
    origin = values[start]
    for offset in range(days):
        share = (offset + 1) / days
        values[start + offset] = origin + (to - origin) * share + (values[start + offset] - origin) * (1 - share)
    return values


def store_history(rng, position, dates):
    """The rows of one store over ``dates`` (without the store's id), each a dict of metric keys."""
    days = len(dates)
    series = {key: _walk(rng, *walk, days) for key, walk in HEALTHY.items()}
    if position % 4 == 0:
        series["invoice_defect_rate"] = _walk(rng, *B2B_INVOICE_DEFECTS, days)
    ahr = _walk(rng, rng.randrange(230, 330), 4, 200, 1000, days)
    ip_complaints = [0] * days
    account_status = ["NORMAL"] * days
    if position == LSR_CLIMBS:
        _drift(series["late_shipment_rate"], start=days - 35, to=0.047)
    if position == AHR_FALLS:
        _drift(ahr, start=days - 45, to=82)
    if position == IP_COMPLAINTS_RISE:
        # Red needs a count that rose since the report before: the latest report brings a new complaint.
        ip_complaints = [0] * (days - 24) + [1] * 17 + [2] * 6 + [3]
    if position == ACCOUNT_AT_RISK:
        account_status = ["NORMAL"] * (days - 9) + ["AT_RISK"] * 9
        _drift(ahr, start=days - 20, to=176)
    if position == TRACKING_SLIPS:
        _drift(series["valid_tracking_rate"], start=days - 30, to=0.957)
    if position == CANCELS_CLOSE:
        _drift(series["cancel_rate"], start=days - 30, to=0.022)
    rows = []
    for index, day in enumerate(dates):
        score = max(0, round(ahr[index]))
        row = {"date": day.isoformat(), "ahr_score": score,
               "ahr_status": "GREAT" if score >= 200 else "WARNED", "account_status": account_status[index],
               "ip_complaints": ip_complaints[index]}
        row.update({key: round(min(max(values[index], 0.0), 1.0), 4) for key, values in series.items()})
        rows.append(row)
    return rows


def load(*, agency, people):
    """Add the history of every store of the demo agency and evaluate them (``people`` is not needed)."""
    rng = random.Random(SEED)
    stores = list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    last = agency.today() - datetime.timedelta(days=1)  # yesterday in Beijing is no later than today anywhere
    dates = [last - datetime.timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]
    rows = [{"store": store_id, **row} for position, store_id in enumerate(stores)
            for row in store_history(rng, position, dates)]
    for start in range(0, len(rows), BATCH_ROWS):
        services.snapshots_upsert(agency=agency, rows=rows[start:start + BATCH_ROWS], source=Source.API)
    services.store_health_evaluate(agency=agency, store_ids=stores)
