"""The alert emails' delivery rules through a real Celery worker on Redis and a real SMTP server on loopback (aiosmtpd):

* a mail server that answers 4xx is tried again by the task's retries, after the waits of ``ALERTS_EMAIL_RETRY_DELAYS``
  (seconds in the test settings), and the email is then delivered exactly once, its sent-log row ``sent`` after as
  many attempts; a 5xx is recorded as ``failed`` on the first attempt and never retried;
* the daily digest goes out at 08:00 Asia/Shanghai to the agencies whose hour it is (not to one in Europe/Berlin,
  where it is 01:00), to each subscribed person once, in their language, however often the periodic task and the
  digest task run; nothing goes at 07:45.

Time is frozen by the tasks' ``now`` (an ISO timestamp), which the worker receives as the beat would send it.
"""

import datetime
import re
import zoneinfo
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from alerts import tasks as alert_tasks
from alerts.models import NotificationPreference, SentNotification
from tests.alerts.test_digest import open_alert
from tests.alerts.test_emails_smtp import Mailbox
from tests.integration.conftest import DEADLINE, text_and_html, wait_until

pytestmark = pytest.mark.integration

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: 08:00 in Shanghai on a winter day: 00:00 UTC, 01:00 in Berlin.
EIGHT_IN_SHANGHAI = datetime.datetime(2025, 1, 15, 8, 0, tzinfo=SHANGHAI)
DAY = "2025-01-15"
NOTHING_DONE = {"sent": 0, "deferred": 0, "failed": 0, "skipped": 0, "held": 0}
TRY_AGAIN = "451 4.3.0 Try again later"
REFUSED = "550 5.7.1 Mailbox unavailable"


def at(moment, **later):
    return (moment + datetime.timedelta(**later)).isoformat()


def subject_of(message):
    return str(make_header(decode_header(message["Subject"])))


def digest_log(persona):
    with scopes_disabled():
        return list(SentNotification.objects.filter(agency=persona.agency, kind=SentNotification.Kind.DIGEST)
                    .order_by("recipient__email"))


def retries_of(worker, result):
    """The waits (``Retry in 1s``) the worker logged for the task of ``result``, in order."""
    return re.findall(rf"\[{re.escape(result.id)}\] retry: (Retry in \S+)", worker.log())


def runs_finished(worker, task):
    """How many runs of ``task`` the worker finished (succeeded)."""
    return len(re.findall(rf"Task {re.escape(task.name)}\[[0-9a-f-]+\] succeeded", worker.log()))


def a_red_alert_three_hours_before(persona, moment):
    with persona.scope():
        open_alert(persona, persona.assigned_store, opened=moment - datetime.timedelta(hours=3))


def only_the_manager_gets_the_digest(persona):
    with scopes_disabled():
        for person in (persona.owner, persona.operator, persona.idle_operator):
            NotificationPreference.objects.create(agency=persona.agency, user=person, immediate=False, digest=False)


# -- a mail server that asks to try again later, or refuses ------------------------------------------------------------
def test_a_4xx_answer_is_retried_by_the_worker_and_the_email_then_delivered_exactly_once(start_mail_worker, agency_a):
    a_red_alert_three_hours_before(agency_a, EIGHT_IN_SHANGHAI)
    only_the_manager_gets_the_digest(agency_a)
    live = start_mail_worker(Mailbox(TRY_AGAIN, TRY_AGAIN))
    manager = agency_a.manager.email

    result = alert_tasks.send_digest.delay(agency_id=agency_a.agency.pk, now=EIGHT_IN_SHANGHAI.isoformat())

    # The result is the last run's: two runs were deferred, the third delivered.
    assert result.get(timeout=DEADLINE) == {**NOTHING_DONE, "sent": 1}
    delays = settings.ALERTS_EMAIL_RETRY_DELAYS
    assert retries_of(live.worker, result) == [f"Retry in {delays[0]}s", f"Retry in {delays[1]}s"]
    assert live.mailbox.attempts == [(manager,)] * 3
    [message] = live.mailbox.delivered
    assert message["To"] == manager and live.mailbox.delivered_to(manager) == [message]
    [row] = digest_log(agency_a)
    assert (row.recipient_id, row.status, row.attempts, row.error, row.period) == (
        agency_a.manager.pk, SentNotification.Status.SENT, 3, "", DAY)

    # The same task again: the sent-log lets nothing go twice.
    again = alert_tasks.send_digest.delay(agency_id=agency_a.agency.pk, now=at(EIGHT_IN_SHANGHAI, minutes=15))
    assert again.get(timeout=DEADLINE) == NOTHING_DONE
    assert len(live.mailbox.attempts) == 3 and len(live.mailbox.delivered) == 1
    assert [(row.status, row.attempts) for row in digest_log(agency_a)] == [(SentNotification.Status.SENT, 3)]


def test_a_5xx_answer_is_recorded_as_failed_by_the_worker_and_never_retried(start_mail_worker, agency_a):
    a_red_alert_three_hours_before(agency_a, EIGHT_IN_SHANGHAI)
    only_the_manager_gets_the_digest(agency_a)
    live = start_mail_worker(Mailbox(REFUSED))

    result = alert_tasks.send_digest.delay(agency_id=agency_a.agency.pk, now=EIGHT_IN_SHANGHAI.isoformat())

    assert result.get(timeout=DEADLINE) == {**NOTHING_DONE, "failed": 1}
    assert retries_of(live.worker, result) == []
    assert live.mailbox.attempts == [(agency_a.manager.email,)] and live.mailbox.delivered == []
    [row] = digest_log(agency_a)
    assert (row.status, row.attempts, row.error) == (SentNotification.Status.FAILED, 1, REFUSED)

    # Failed is final: the task again tries nothing, though the server would now take it.
    again = alert_tasks.send_digest.delay(agency_id=agency_a.agency.pk, now=at(EIGHT_IN_SHANGHAI, minutes=15))
    assert again.get(timeout=DEADLINE) == NOTHING_DONE
    assert len(live.mailbox.attempts) == 1 and live.mailbox.delivered == []


# -- the daily digest at 08:00 Asia/Shanghai -------------------------------------------------------------------------
@pytest.fixture
def shanghai_and_berlin(agency_a, agency_b):
    """Agency A in Shanghai (the default), its owner reading English, its manager Chinese, its operator the agency's
    default (Chinese); agency B in Berlin. Each with a red alert opened three hours before 08:00 in Shanghai."""
    for person, language in ((agency_a.owner, "en"), (agency_a.manager, "zh-hans"), (agency_a.operator, "")):
        person.language = language
        person.save(update_fields=["language"])
    agency_b.agency.time_zone = "Europe/Berlin"
    agency_b.agency.save(update_fields=["time_zone"])
    for persona in (agency_a, agency_b):
        a_red_alert_three_hours_before(persona, EIGHT_IN_SHANGHAI)
    return agency_a, agency_b


def test_the_digest_goes_out_at_eight_in_shanghai_to_that_agency_only_and_once_even_when_its_tasks_run_twice(
        start_mail_worker, shanghai_and_berlin):
    shanghai, berlin = shanghai_and_berlin
    live = start_mail_worker(Mailbox())
    mailbox, worker = live.mailbox, live.worker

    # 07:45 in Shanghai: no agency's hour has come.
    assert alert_tasks.send_due_digests.delay(now=at(EIGHT_IN_SHANGHAI, minutes=-15)).get(timeout=DEADLINE) == 0

    # 08:00, twice at once (the beat's message delivered twice): the second may run before or after the digest the
    # first queued, so the digest task itself may run twice too.
    twice = [alert_tasks.send_due_digests.delay(now=EIGHT_IN_SHANGHAI.isoformat()) for _ in range(2)]
    queued = [run.get(timeout=DEADLINE) for run in twice]
    assert queued[0] == 1 and queued[1] in (0, 1)
    wait_until(lambda: runs_finished(worker, alert_tasks.send_digest) == sum(queued), "the digests queued ran")
    # And once more by hand, with the same moment.
    again = alert_tasks.send_digest.delay(agency_id=shanghai.agency.pk, now=EIGHT_IN_SHANGHAI.isoformat())
    assert again.get(timeout=DEADLINE) == NOTHING_DONE
    assert alert_tasks.send_due_digests.delay(now=at(EIGHT_IN_SHANGHAI, minutes=15)).get(timeout=DEADLINE) == 0

    # One digest to each of the Shanghai agency's people with something in it; nothing to Berlin's.
    delivered = sorted(message["To"] for message in mailbox.delivered)
    assert delivered == sorted([shanghai.owner.email, shanghai.manager.email, shanghai.operator.email])
    assert len(mailbox.attempts) == 3
    # The sent-log: one row per subscribed person (the idle operator's digest had nothing to say); none in Berlin.
    assert [(row.recipient_id, row.status, row.attempts, row.period) for row in digest_log(shanghai)] == [
        (shanghai.idle_operator.pk, "skipped", 1, DAY), (shanghai.manager.pk, "sent", 1, DAY),
        (shanghai.operator.pk, "sent", 1, DAY), (shanghai.owner.pk, "sent", 1, DAY)]
    assert digest_log(berlin) == []

    # The digest, in each person's language and the agency's time zone.
    [english] = mailbox.delivered_to(shanghai.owner.email)
    assert subject_of(english) == f"[{shanghai.agency.name}] Daily alert digest, {DAY}"
    text, html = text_and_html(english)
    assert "Open alerts: 1 red, 0 yellow." in text and "Opened since 2025-01-14 08:00" in text
    assert shanghai.assigned_store.name in text and shanghai.assigned_store.name in html
    for person in (shanghai.manager, shanghai.operator):
        [chinese] = mailbox.delivered_to(person.email)
        assert subject_of(chinese) == f"[{shanghai.agency.name}] 每日预警摘要，{DAY}"
        text, _html = text_and_html(chinese)
        assert "未处理的预警：红色 1 条，黄色 0 条。" in text and "自 2025-01-14 08:00 以来新增" in text
        assert "Open alerts" not in text

    # 08:00 in Berlin (07:00 UTC): the Berlin agency's turn, Shanghai's digest of the day being done.
    assert alert_tasks.send_due_digests.delay(now=at(EIGHT_IN_SHANGHAI, hours=7)).get(timeout=DEADLINE) == 1
    wait_until(lambda: runs_finished(worker, alert_tasks.send_digest) == sum(queued) + 2, "Berlin's digest ran")
    assert sorted(message["To"] for message in mailbox.delivered[3:]) == sorted(
        [berlin.owner.email, berlin.manager.email, berlin.operator.email])
    assert {row.period for row in digest_log(berlin)} == {DAY}
