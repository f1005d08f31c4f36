"""Writes of the health app, each ``<entity>_<action>(*, agency, ...)``."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import visible_stores

from . import amazon_report, evaluation, metrics, selectors, tasks
from .ingestion import BatchRejected, SnapshotStage, csv_file
from .models import COUNT_TARGET_MAX, HealthPolicy, Source


# -- ingestion: snapshots in sets (health.ingestion) -----------------------------------------------------------
def snapshots_upsert(*, agency, rows, source, caller=None):
    """Validate the whole batch of snapshot ``rows`` and upsert it on (store, date).

    A batch with any bad row raises ``BatchRejected`` listing every bad row, and nothing is written. Otherwise a
    row sets the metrics it names (``None``: no data) and keeps the others of that day; a replay rewrites nothing.
    The evaluation of the stores whose snapshots changed is queued after the commit. ``caller``, when given,
    limits the stores the rows may name to those it sees.
    """
    with transaction.atomic(), SnapshotStage(agency=agency, source=source, caller=caller) as stage:
        errors = stage.add(rows)
        errors += stage.duplicate_errors()
        if errors:
            raise BatchRejected(errors)
        result = stage.merge()
        if result.store_ids:
            tasks.queue_evaluation(agency=agency, store_ids=result.store_ids)
    return result


def snapshots_import_csv(*, agency, file, source=Source.CSV, dry_run=False, progress=None, max_errors=100,
                         caller=None):
    """Import a metrics CSV (a text stream opened with ``newline=""``) in one transaction, chunk by chunk.

    The header is checked before any row (unknown columns, no date, no store column). Errors name the LINE NUMBER
    (the header is line 1) in ``RowError.index``; after ``max_errors`` the file is read no further, and any error
    raises ``BatchRejected`` with nothing written. ``progress(rows_read)`` is called after every chunk.
    ``dry_run`` validates and previews (created / updated / unchanged) and writes nothing.
    """
    reader, header, errors = csv_file.read_header(file)
    if errors:
        raise BatchRejected(errors)
    rows_read = 0
    with transaction.atomic(), SnapshotStage(agency=agency, source=source, text=True, caller=caller) as stage:
        for rows, lines, chunk_errors in csv_file.chunks(reader, header):
            errors += chunk_errors
            errors += stage.add(rows, indexes=lines)
            rows_read += len(rows) + len(chunk_errors)
            if progress is not None:
                progress(rows_read)
            if len(errors) >= max_errors:
                break
        if len(errors) < max_errors:
            errors += stage.duplicate_errors(limit=max_errors - len(errors))
        if errors:
            raise BatchRejected(errors[:max_errors])
        if dry_run:
            return stage.preview()
        result = stage.merge()
        if result.store_ids:
            tasks.queue_evaluation(agency=agency, store_ids=result.store_ids)
    return result


@dataclass(frozen=True)
class ReportLoad:
    """What loading one seller's report did: the upsert's counts, each marketplace report with the store it went
    to, and the marketplaces that have no such store (with the reason)."""

    result: object
    matched: list
    unmatched: list


def report_load(*, agency, caller, seller_id, reports, report_date_given=False):
    """Load Amazon's account-health report of ``seller_id`` (``reports``: ``amazon_report.parse_report``'s one
    report per marketplace) into the snapshots of the stores with that seller id that ``caller`` works on.

    A marketplace without such a store is left out and listed in ``unmatched``. When none has one, or a value is
    refused, a ``ValidationError`` names the field (``seller_id``, ``report_date`` or ``report`` with the
    value's JSON path) and nothing is written.
    """
    stores = {store.marketplace: store
              for store in visible_stores(agency=agency, caller=caller).filter(seller_id=seller_id)}
    matched, unmatched = amazon_report.match_stores(reports, stores, seller_id=seller_id)
    if not matched:
        raise ValidationError({"seller_id": [amazon_report.no_store_message(seller_id, reports)]})
    try:
        result = snapshots_upsert(agency=agency, source=Source.REPORT, caller=caller,
                                  rows=[report.snapshot_row(store=store.pk) for report, store in matched])
    except BatchRejected as rejected:
        raise ValidationError(amazon_report.refusal(rejected.errors, [report for report, _store in matched],
                                                    report_date_given=report_date_given)) from None
    return ReportLoad(result=result, matched=matched, unmatched=unmatched)


# -- evaluation and the health policy ----------------------------------------------------------------------------
def store_health_evaluate(*, agency, store_ids):
    """Evaluate ``store_ids`` of ``agency`` now (``health.evaluation``) and write their ``StoreHealth`` rows;
    returns how many stores were evaluated. Requests queue it instead (``tasks.queue_evaluation``)."""
    rules = selectors.health_policy(agency=agency).thresholds()
    return evaluation.store_health_upsert(agency=agency, store_ids=store_ids, rules=rules)


#: The numbers of the health policy: the rate targets, then the yellow margin, then the AHR bands.
POLICY_FRACTIONS = (*(f"{key}_target" for key in metrics.RATE_KEYS), "yellow_margin")
POLICY_SCORES = ("ahr_critical_below", "ahr_at_risk_below")
POLICY_COUNTS = tuple(f"{key}_target" for key in metrics.COUNT_KEYS)


def health_policy_ensure(*, agency):
    """The agency's ``HealthPolicy`` row, created with DOMAIN.md's defaults if it has none yet."""
    policy, _created = HealthPolicy.objects.get_or_create(agency=agency)
    return policy


def health_policy_errors(*, policy, numbers):
    """``{field: [message]}`` of what is wrong with setting ``numbers`` on ``policy`` (``{}``: nothing): a field
    the policy does not have, a fraction outside 0–1, an AHR band outside 0–1000, an at-risk band that does not
    start above the critical one. Each message names the value."""
    errors = {}
    for name, value in numbers.items():
        if name not in POLICY_FRACTIONS + POLICY_SCORES + POLICY_COUNTS:
            errors[name] = [_("“%(field)s” is not a number of the health policy.") % {"field": name}]
        elif name in POLICY_FRACTIONS and (isinstance(value, bool) or not isinstance(value, (int, float))
                                           or not 0 <= value <= 1):
            errors[name] = [_("“%(value)s” is not a fraction from 0 to 1 (0.04 is 4%%).") % {"value": value}]
        elif name in POLICY_SCORES and (isinstance(value, bool) or not isinstance(value, int)
                                        or not 0 <= value <= metrics.AHR_MAX):
            errors[name] = [_("“%(value)s” is not a whole number from 0 to %(max)s.")
                            % {"value": value, "max": metrics.AHR_MAX}]
        elif name in POLICY_COUNTS and (isinstance(value, bool) or not isinstance(value, int)
                                        or not 0 <= value <= COUNT_TARGET_MAX):
            errors[name] = [_("“%(value)s” is not a whole number from 0 to %(max)s.")
                            % {"value": value, "max": COUNT_TARGET_MAX}]
    if not errors:
        critical = numbers.get("ahr_critical_below", policy.ahr_critical_below)
        at_risk = numbers.get("ahr_at_risk_below", policy.ahr_at_risk_below)
        if at_risk <= critical:
            errors["ahr_at_risk_below"] = [
                _("The at-risk band must start above the critical band: %(at_risk)s is not above %(critical)s.")
                % {"at_risk": at_risk, "critical": critical}]
    return errors


@transaction.atomic
def health_policy_update(*, agency, **numbers):
    """Set the agency's health numbers (``POLICY_FRACTIONS``: targets and the yellow margin as fractions,
    ``POLICY_SCORES``: the AHR bands); the others keep their values. The at-risk band must start above the
    critical one. Errors name the field and the value, and nothing is written. When a number changed, every store
    of the agency is evaluated again after the commit. Returns the policy."""
    health_policy_ensure(agency=agency)
    policy = HealthPolicy.objects.select_for_update().get(agency=agency)
    errors = health_policy_errors(policy=policy, numbers=numbers)
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(policy, name) for name in numbers}
    for name, value in numbers.items():
        setattr(policy, name, float(value) if name in POLICY_FRACTIONS else value)
    policy.full_clean()
    if any(before[name] != getattr(policy, name) for name in numbers):
        policy.save()
        tasks.queue_evaluation(agency=agency, store_ids=selectors.all_store_ids(agency=agency))
    return policy
