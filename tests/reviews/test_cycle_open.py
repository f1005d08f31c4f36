"""Opening a month's review (``reviews.services.cycle_open``) and the task that opens last month's on the 1st at 01:00
in each agency's time zone (``reviews.tasks.open_due_cycles``): one cycle per agency and month and one review per
store and cycle, whoever runs it and however often, and a review for every store that was active at any time in the
month (by the store's audit trail), none for one closed all month or added after it.

The month's summary is the summary helper's (``reviews.summary``, tested on its own): here a stand-in records which
stores it was asked for."""

import datetime
import threading
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation
from django_scopes import scope, scopes_disabled

from accounts.models import Agency, Membership, Store, StoreStatus
from accounts.tenancy import Caller
from reviews import checklist, services, summary, tasks
from reviews.models import ChecklistVersion, ReviewCycle, ReviewPolicy, StoreReview
from tests.factories import StoreFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
OCTOBER = datetime.date(2026, 10, 1)
LONG_AGO = datetime.datetime(2025, 1, 1, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def summaries(monkeypatch):
    """The summary helper's stand-in: each call's store ids, in order; a store's summary names it and the month."""
    calls = []

    def month_summaries(*, agency, store_ids, month):
        calls.append(list(store_ids))
        return {store_id: {"month": month.strftime("%Y-%m"), "store": store_id} for store_id in store_ids}

    monkeypatch.setattr(summary, "month_summaries", month_summaries, raising=False)
    return calls


def backdate(store, at):
    """``store`` created at ``at``, its audit trail too (factories write both now)."""
    with scopes_disabled():
        Store.objects.filter(pk=store.pk).update(created_at=at)
        Store.history.filter(id=store.pk).update(history_date=at)


def set_status(store, status, at):
    """``store``'s status changed to ``status`` at ``at``, as its audit trail records it."""
    with scopes_disabled():
        store.refresh_from_db()
        store.status = status
        store.save()
        latest = Store.history.filter(id=store.pk).order_by("-history_id").first()
        Store.history.filter(history_id=latest.history_id).update(history_date=at)


def store_at(persona, created, **kwargs):
    store = StoreFactory(agency=persona.agency, client=persona.client, **kwargs)
    backdate(store, created)
    return store


@pytest.fixture
def a(agency_a):
    """Agency A (Beijing time) whose two stores have been there long before October."""
    for store in (agency_a.assigned_store, agency_a.other_store):
        backdate(store, LONG_AGO)
    Agency.objects.filter(pk=agency_a.agency.pk).update(created_at=LONG_AGO)
    agency_a.agency.refresh_from_db()
    return agency_a


def open_october(persona, **kwargs):
    with persona.scope():
        return services.cycle_open(agency=persona.agency, month=OCTOBER, **kwargs)


def reviewed_stores(persona, cycle=None):
    with scopes_disabled():
        rows = StoreReview.objects.filter(agency=persona.agency)
        if cycle is not None:
            rows = rows.filter(cycle=cycle)
        return set(rows.values_list("store_id", flat=True))


# -- what an opening writes ----------------------------------------------------------------------------------------
def test_opening_a_past_month_writes_the_cycle_and_a_pending_review_of_every_active_store(a):
    cycle = open_october(a)

    with a.scope():
        assert (cycle.month, cycle.due_on, cycle.opened_by) == (OCTOBER, datetime.date(2026, 11, 5), None)
        assert cycle.checklist.number == 1 and cycle.checklist.items == list(checklist.DEFAULT_ITEMS)
        reviews = {review.store_id: review for review in StoreReview.objects.filter(cycle=cycle)}
    assert set(reviews) == {a.assigned_store.pk, a.other_store.pk}
    assigned = reviews[a.assigned_store.pk]
    assert (assigned.status, assigned.reviewer, assigned.answers) == ("pending", a.operator, {})
    assert assigned.summary == {"month": "2026-10", "store": a.assigned_store.pk}
    assert reviews[a.other_store.pk].reviewer is None  # nobody works on it: the managers' queue


def test_the_due_day_is_the_policy_s_day_of_the_month_after(a):
    with scopes_disabled():
        ReviewPolicy.objects.create(agency=a.agency, due_day=12)
    assert open_october(a).due_on == datetime.date(2026, 11, 12)


def test_a_manager_opening_by_hand_is_recorded(a):
    cycle = open_october(a, caller=Caller.person(agency=a.agency, user=a.manager, role="manager"))
    assert cycle.opened_by == a.manager


def test_a_cycle_keeps_the_checklist_version_it_opened_with(a):
    with scopes_disabled():
        ChecklistVersion.objects.create(agency=a.agency, number=1, items=checklist.default_items())
        ChecklistVersion.objects.create(agency=a.agency, number=2, items=[
            {"code": "own", "en": "Own", "zh-hans": "自己的", "required": True}])
    assert open_october(a).checklist.number == 2


def test_the_reviewer_is_not_an_operator_whose_membership_is_deactivated(a):
    with scopes_disabled():
        Membership.objects.filter(agency=a.agency, user=a.operator).update(is_active=False)
    cycle = open_october(a)
    with a.scope():
        assert StoreReview.objects.get(cycle=cycle, store=a.assigned_store).reviewer is None


def test_every_stores_month_is_computed_in_one_pass(a, summaries):
    store_at(a, LONG_AGO)

    open_october(a)

    assert [len(stores) for stores in summaries] == [3]


def test_another_agency_s_stores_are_never_reviewed(a, agency_b):
    backdate(agency_b.assigned_store, LONG_AGO)
    open_october(a)
    with scopes_disabled():
        assert not StoreReview.objects.filter(agency=agency_b.agency).exists()
        assert not StoreReview.objects.filter(store__agency=agency_b.agency).exists()


# -- which stores -------------------------------------------------------------------------------------------------
def test_a_store_closed_before_the_month_gets_no_review(a):
    set_status(a.other_store, StoreStatus.CLOSED, datetime.datetime(2026, 9, 20, tzinfo=SHANGHAI))
    assert reviewed_stores(a, open_october(a)) == {a.assigned_store.pk}


def test_a_store_closed_during_the_month_gets_a_review(a):
    set_status(a.other_store, StoreStatus.CLOSED, datetime.datetime(2026, 10, 15, tzinfo=SHANGHAI))
    assert reviewed_stores(a, open_october(a)) == {a.assigned_store.pk, a.other_store.pk}


def test_a_store_closed_just_after_the_month_s_first_moment_gets_a_review(a):
    set_status(a.other_store, StoreStatus.CLOSED, datetime.datetime(2026, 10, 1, 0, 1, tzinfo=SHANGHAI))
    assert a.other_store.pk in reviewed_stores(a, open_october(a))


def test_a_store_closed_before_and_reopened_during_the_month_gets_a_review(a):
    set_status(a.other_store, StoreStatus.CLOSED, datetime.datetime(2026, 8, 1, tzinfo=SHANGHAI))
    set_status(a.other_store, StoreStatus.ACTIVE, datetime.datetime(2026, 10, 28, tzinfo=SHANGHAI))
    assert a.other_store.pk in reviewed_stores(a, open_october(a))


def test_a_store_closed_before_the_month_and_reopened_after_it_gets_no_review(a):
    set_status(a.other_store, StoreStatus.CLOSED, datetime.datetime(2026, 8, 1, tzinfo=SHANGHAI))
    set_status(a.other_store, StoreStatus.ACTIVE, datetime.datetime(2026, 11, 3, tzinfo=SHANGHAI))
    assert a.other_store.pk not in reviewed_stores(a, open_october(a))


@pytest.mark.parametrize("status", [StoreStatus.SUSPENDED, StoreStatus.AT_RISK, StoreStatus.DEACTIVATED])
def test_a_suspended_or_deactivated_store_still_gets_a_review(a, status):
    set_status(a.other_store, status, datetime.datetime(2026, 9, 1, tzinfo=SHANGHAI))
    assert a.other_store.pk in reviewed_stores(a, open_october(a))


def test_a_store_added_later_in_the_month_gets_a_review(a):
    added = store_at(a, datetime.datetime(2026, 10, 20, tzinfo=SHANGHAI))
    assert added.pk in reviewed_stores(a, open_october(a))


def test_a_store_added_after_the_month_gets_no_review(a):
    added = store_at(a, datetime.datetime(2026, 11, 2, tzinfo=SHANGHAI))
    assert added.pk not in reviewed_stores(a, open_october(a))


def test_the_month_ends_at_midnight_in_the_agency_s_time_zone(a):
    last_minute = store_at(a, datetime.datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))
    # 1 November 00:30 in Beijing is still 31 October in UTC: the agency's month is over, no review.
    first_minutes = store_at(a, datetime.datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
    reviewed = reviewed_stores(a, open_october(a))
    assert last_minute.pk in reviewed and first_minutes.pk not in reviewed


def test_a_store_without_an_audit_trail_is_judged_by_its_status(a):
    with scopes_disabled():
        Store.history.filter(id__in=[a.assigned_store.pk, a.other_store.pk]).delete()
        Store.objects.filter(pk=a.other_store.pk).update(status=StoreStatus.CLOSED)
    assert reviewed_stores(a, open_october(a)) == {a.assigned_store.pk}


# -- only past months, only managers -------------------------------------------------------------------------------
@pytest.mark.parametrize("month", ["current", "next"])
def test_the_current_or_a_future_month_is_refused_naming_it(a, month):
    today = a.agency.today()
    first = today.replace(day=1) if month == "current" else services.month_after(today)
    with a.scope(), pytest.raises(ValidationError) as error:
        services.cycle_open(agency=a.agency, month=first)
    assert error.value.message_dict == {"month": [
        f"{first:%Y-%m} is not over yet: only a past month's review can be opened."]}
    with scopes_disabled():
        assert not ReviewCycle.objects.exists()


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_managers_open_a_cycle_by_hand(a, role):
    with pytest.raises(PermissionDenied):
        open_october(a, caller=Caller.person(agency=a.agency, user=a.staff[role], role=role))


def test_a_day_of_the_month_opens_that_month(a):
    assert open_october(a).month == OCTOBER
    with a.scope():
        assert services.cycle_open(agency=a.agency, month=datetime.date(2026, 10, 17)).month == OCTOBER


# -- idempotent ----------------------------------------------------------------------------------------------------
def test_opening_twice_leaves_one_cycle_and_one_review_per_store(a, summaries):
    first = open_october(a)
    second = open_october(a)

    assert first.pk == second.pk
    with scopes_disabled():
        assert ReviewCycle.objects.filter(agency=a.agency).count() == 1
        assert StoreReview.objects.filter(agency=a.agency).count() == 2
    assert len(summaries) == 1  # the second opening computed nothing


def test_opening_again_adds_only_the_reviews_still_missing(a, summaries):
    cycle = open_october(a)
    with a.scope():
        StoreReview.objects.filter(cycle=cycle, store=a.other_store).delete()
        StoreReview.objects.filter(cycle=cycle, store=a.assigned_store).update(status="in_progress")

    open_october(a)

    assert summaries[-1] == [a.other_store.pk]
    with a.scope():
        assert StoreReview.objects.get(cycle=cycle, store=a.assigned_store).status == "in_progress"
        assert StoreReview.objects.filter(cycle=cycle).count() == 2


def run_at_once(target, count=2):
    """Run ``target`` in ``count`` threads (each with its own database connection) released together; returns the
    errors they raised."""
    barrier, errors = threading.Barrier(count), []

    def worker():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001  (the test asserts there are none)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_at_the_same_moment_leave_one_cycle_and_one_review_per_store(a, monkeypatch):
    assert connection.vendor == "postgresql", "two connections writing at once need PostgreSQL: set DATABASE_URL"
    slow_calls = []

    def slow_summaries(*, agency, store_ids, month):
        slow_calls.append(list(store_ids))
        threading.Event().wait(0.3)  # both workers are inside their opening at once
        return {store_id: {"month": "2026-10"} for store_id in store_ids}

    monkeypatch.setattr(summary, "month_summaries", slow_summaries, raising=False)

    def open_it():
        with scope(agency=a.agency):
            services.cycle_open(agency=Agency.objects.get(pk=a.agency.pk), month=OCTOBER)

    assert run_at_once(open_it) == []
    with scopes_disabled():
        assert ReviewCycle.objects.filter(agency=a.agency).count() == 1
        assert StoreReview.objects.filter(agency=a.agency).count() == 2
        assert ChecklistVersion.objects.filter(agency=a.agency).count() == 1


# -- the task of the 1st, 01:00 -------------------------------------------------------------------------------------
def cycles_of(persona):
    with scopes_disabled():
        return list(ReviewCycle.objects.filter(agency=persona.agency).values_list("month", flat=True))


@pytest.fixture
def run_task(django_capture_on_commit_callbacks):
    """``run_task(moment)``: the periodic task at ``moment``, with the tasks it queues run after its commit."""

    def run(moment):
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.open_due_cycles(now=moment.isoformat())

    return run


def in_zone(persona, zone):
    Agency.objects.filter(pk=persona.agency.pk).update(time_zone=zone)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_last_month_opens_at_one_in_the_morning_of_the_1st_local_time_once(run_task, a, zone):
    in_zone(a, zone)
    local = zoneinfo.ZoneInfo(zone)

    assert run_task(datetime.datetime(2026, 11, 1, 0, 59, tzinfo=local)) == 0
    assert cycles_of(a) == []

    assert run_task(datetime.datetime(2026, 11, 1, 1, 0, tzinfo=local)) == 1
    assert cycles_of(a) == [OCTOBER]
    assert reviewed_stores(a) == {a.assigned_store.pk, a.other_store.pk}

    assert run_task(datetime.datetime(2026, 11, 1, 1, 15, tzinfo=local)) == 0
    tasks.open_cycle(agency_id=a.agency.pk, month="2026-10-01")  # a second delivery of the same task
    assert cycles_of(a) == [OCTOBER]
    with scopes_disabled():
        assert StoreReview.objects.filter(agency=a.agency).count() == 2


def test_the_same_moment_is_1am_in_beijing_and_still_the_31st_in_los_angeles(run_task, a, agency_b):
    Agency.objects.filter(pk=agency_b.agency.pk).update(created_at=LONG_AGO, time_zone="America/Los_Angeles")
    assert run_task(datetime.datetime(2026, 11, 1, 1, 0, tzinfo=SHANGHAI)) == 1

    assert (cycles_of(a), cycles_of(agency_b)) == ([OCTOBER], [])
    assert run_task(datetime.datetime(2026, 11, 1, 1, 0, tzinfo=LOS_ANGELES)) == 1
    assert cycles_of(agency_b) == [OCTOBER]


def test_a_missed_beat_is_caught_up_later_on_the_1st_but_not_on_the_2nd(run_task, a):
    assert run_task(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)) == 0
    assert run_task(datetime.datetime(2026, 11, 1, 17, 45, tzinfo=SHANGHAI)) == 1
    assert cycles_of(a) == [OCTOBER]


def test_an_inactive_agency_or_one_created_after_the_month_opens_nothing(run_task, a, agency_b):
    Agency.objects.filter(pk=a.agency.pk).update(is_active=False)  # agency B was created now, in December
    assert run_task(datetime.datetime(2026, 11, 1, 2, 0, tzinfo=SHANGHAI)) == 0
    assert cycles_of(a) == cycles_of(agency_b) == []


def test_january_opens_december_of_the_year_before(a):
    assert tasks.month_to_open(time_zone="Asia/Shanghai",
                               now=datetime.datetime(2027, 1, 1, 1, 0, tzinfo=SHANGHAI)) == datetime.date(2026, 12, 1)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_task_at_the_same_moment_open_one_cycle(a, monkeypatch):
    assert connection.vendor == "postgresql", "two connections writing at once need PostgreSQL: set DATABASE_URL"

    def slow_summaries(*, agency, store_ids, month):
        threading.Event().wait(0.3)
        return {store_id: {} for store_id in store_ids}

    monkeypatch.setattr(summary, "month_summaries", slow_summaries, raising=False)
    moment = datetime.datetime(2026, 11, 1, 1, 0, tzinfo=SHANGHAI).isoformat()

    assert run_at_once(lambda: tasks.open_due_cycles(now=moment)) == []

    assert cycles_of(a) == [OCTOBER]
    with scopes_disabled():
        assert StoreReview.objects.filter(agency=a.agency).count() == 2
