"""The emails alerts wait for (``alerts.notifications.notices``): the 500-store chunks of one ingest queue ONE email
run between them and go in one email per recipient; a run that dies before its commit leaves the alerts waiting, one
whose message the broker never took is made up by the periodic round, and nothing goes twice."""

import datetime

import pytest
from kombu.exceptions import OperationalError

from alerts import tasks
from alerts.models import Alert, AlertPolicy, SentNotification
from alerts.notifications import delivery, escalation, notices
from health import evaluation, selectors
from health import services as health_services
from health.models import Source
from tests.factories import StoreFactory

LSR = "late_shipment_rate"


@pytest.fixture
def a(agency_a):
    with agency_a.scope():
        yield agency_a


def red_days(stores, days_ago=2):
    date = (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()
    return [{"store": store.pk, "date": date, LSR: 0.046} for store in stores]


@pytest.fixture
def queued(monkeypatch):
    """The email runs queued in this test (their kwargs and countdown), none of them run."""
    runs = []
    monkeypatch.setattr(tasks.send_alert_notices, "apply_async",
                        lambda kwargs=None, countdown=None, **options: runs.append((kwargs, countdown)))
    return runs


def evaluate_in_chunks(persona, chunks, capture):
    """Each chunk of stores evaluated as one task would, its commit callbacks run as the worker's would."""
    rules = selectors.health_policy(agency=persona.agency).thresholds()
    for chunk in chunks:
        with capture(execute=True):
            evaluation.store_health_upsert(agency=persona.agency, store_ids=[store.pk for store in chunk], rules=rules)


def test_the_chunks_of_one_ingest_queue_one_email_run_and_each_recipient_gets_one_email_of_them_all(
        a, queued, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.ALERTS_NOTICE_GATHER_SECONDS = 20
    more = StoreFactory.create_batch(3, agency=a.agency, client=a.client)
    chunks = [[a.assigned_store], [a.other_store, more[0]], more[1:]]
    health_services.snapshots_upsert(agency=a.agency, source=Source.API,
                                     rows=red_days([store for chunk in chunks for store in chunk]))

    evaluate_in_chunks(a, chunks, django_capture_on_commit_callbacks)

    assert queued == [({"agency_id": a.agency.pk}, 20)], "one run, queued by the first chunk, gathering the rest"
    assert Alert.objects.filter(agency=a.agency, notice_due=Alert.Notice.NEW).count() == 5

    notices.notices_send(agency=a.agency)

    assert sorted(message.to[0] for message in mailoutbox) == sorted([a.owner.email, a.manager.email,
                                                                       a.operator.email])
    [manager_email] = [message for message in mailoutbox if message.to == [a.manager.email]]
    assert all(store.name in manager_email.body for chunk in chunks for store in chunk)
    assert not Alert.objects.filter(agency=a.agency).exclude(notice_due="").exists()

    # The next ingest's first chunk queues the next run.
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    assert len(queued) == 1, "nothing new waits: the same alerts are only updated"
    at_risk = {**red_days([a.assigned_store], days_ago=1)[0], "account_status": "AT_RISK"}
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=[at_risk])
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    assert len(queued) == 2


def test_a_run_that_dies_before_its_commit_leaves_the_alerts_waiting_and_the_next_run_sends_them_once(
        a, queued, monkeypatch, mailoutbox, django_capture_on_commit_callbacks):
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=red_days([a.assigned_store]))
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    write = delivery.notifications_write

    def dies(**kwargs):
        write(**kwargs)
        raise MemoryError("the worker dies after writing the sent-log, before its commit")

    monkeypatch.setattr(delivery, "notifications_write", dies)
    with pytest.raises(MemoryError):
        notices.notices_send(agency=a.agency)
    assert Alert.objects.get(agency=a.agency).notice_due == Alert.Notice.NEW
    assert not SentNotification.objects.filter(agency=a.agency).exists()

    monkeypatch.setattr(delivery, "notifications_write", write)
    notices.notices_send(agency=a.agency)
    notices.notices_send(agency=a.agency)

    assert len(mailoutbox) == 3
    assert SentNotification.objects.filter(agency=a.agency, kind="immediate", status="sent").count() == 3


def test_alerts_whose_email_run_the_broker_never_took_are_emailed_once_by_the_periodic_round(
        a, agency_b, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, caplog):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_alert_notices.app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.send_alert_notices, "apply_async", broker_down)
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=red_days([a.assigned_store]))
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    assert mailoutbox == [] and "Could not queue alerts.tasks.send_alert_notices" in caplog.text

    assert escalation.agencies_to_visit() == [a.agency], "agency B has nothing waiting"
    monkeypatch.undo()
    tasks.escalate_overdue.apply(kwargs={"agency_id": a.agency.pk})
    tasks.escalate_overdue.apply(kwargs={"agency_id": a.agency.pk})

    assert sorted(message.to[0] for message in mailoutbox) == sorted([a.owner.email, a.manager.email,
                                                                       a.operator.email])
    assert escalation.agencies_to_visit() == []


def test_an_alert_resolved_before_its_email_went_out_is_told_as_resolved_only_if_the_agency_sends_such_notices(
        a, queued, mailoutbox, django_capture_on_commit_callbacks):
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=red_days([a.assigned_store], 4))
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    health_services.snapshots_upsert(agency=a.agency, source=Source.API,
                                     rows=[{**red_days([a.assigned_store], 3)[0], LSR: 0.01}])
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    alert = Alert.objects.get(agency=a.agency)
    assert alert.status == Alert.Status.RESOLVED and alert.notice_due == ""

    notices.notices_send(agency=a.agency)
    assert mailoutbox == [], "over before anyone was told: no email"

    AlertPolicy.objects.update_or_create(agency=a.agency, defaults={"resolved_notices": True})
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=red_days([a.assigned_store], 2))
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    health_services.snapshots_upsert(agency=a.agency, source=Source.API,
                                     rows=[{**red_days([a.assigned_store], 1)[0], LSR: 0.01}])
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)
    notices.notices_send(agency=a.agency)

    # Operators keep resolved notices on by default: the store's operator is told it resolved, nobody of a new alert.
    assert [(message.to[0], kind) for message in mailoutbox
            for kind in SentNotification.objects.filter(agency=a.agency, recipient__email=message.to[0])
            .values_list("kind", flat=True)] == [(a.operator.email, "resolved")]


def test_another_agencys_email_run_leaves_this_agencys_waiting_alerts_alone(
        a, agency_b, queued, mailoutbox, django_capture_on_commit_callbacks):
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=red_days([a.assigned_store]))
    evaluate_in_chunks(a, [[a.assigned_store]], django_capture_on_commit_callbacks)

    with agency_b.scope():
        notices.notices_send(agency=agency_b.agency)

    assert mailoutbox == []
    assert Alert.objects.get(agency=a.agency).notice_due == Alert.Notice.NEW
