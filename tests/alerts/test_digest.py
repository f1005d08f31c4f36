"""The daily digest: at the agency's digest hour (08:00 by default) in its time zone, once per local day and
recipient however often its task runs, with the open alerts by severity, what opened and resolved since the last
digest, the stores newly red, and every section the other apps contribute (the appeal documents' among them); a
section that fails is left out, never the digest. Time is frozen by passing ``now``."""

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import extensions
from alerts import tasks
from alerts.models import Alert, AlertPolicy, NotificationPreference, SentNotification
from alerts.notifications import digest
from alerts.rules import AlertKind
from alerts.subscriptions import StoreScope
from documents import types
from tests.documents.factories import make_document
from tests.factories import StoreFactory

SITE = "https://ops.example.com"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def next_local(hour, minute=0, *, zone=SHANGHAI, days=0):
    """The next ``hour:minute`` in ``zone`` after the present (plus ``days``), as an aware moment."""
    present = datetime.datetime.now(zone)
    moment = present.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment <= present:
        moment += datetime.timedelta(days=1)
    return moment + datetime.timedelta(days=days)


@pytest.fixture
def a(agency_a, settings):
    """Agency A in Beijing time, its people reading English."""
    settings.SITE_URL = SITE
    for person in agency_a.staff.values():
        person.language = "en"
        person.save(update_fields=["language"])
    with agency_a.scope():
        yield agency_a


def open_alert(persona, store, *, rule="late_shipment_rate", severity="red", opened, value=0.046, target=0.04,
               status=Alert.Status.OPEN, resolved_at=None, muted=False):
    return Alert.objects.create(
        agency=persona.agency, store=store, rule=rule, kind=AlertKind.METRIC, severity=severity, status=status,
        first_seen_at=opened, last_seen_at=opened, opened_value=value, opened_target=target, latest_value=value,
        latest_target=target, due_at=opened + datetime.timedelta(hours=72), resolved_at=resolved_at, muted=muted)


def digests_to(outbox, user):
    return [message for message in outbox if message.to == [user.email]]


def send_due_digests(capture, at):
    """The periodic task at ``at``, with what it queues run after its commit, as the worker would."""
    with capture(execute=True):
        return tasks.send_due_digests(now=at.isoformat())


def part(text, heading, next_heading):
    """The lines of the text part between two headings."""
    return text.split(heading, 1)[1].split(next_heading, 1)[0]


# -- when ----------------------------------------------------------------------------------------------------------
def test_the_digest_goes_out_at_eight_in_beijing_to_the_agencies_whose_hour_it_is_and_once_a_day(
        a, agency_b, mailoutbox, django_capture_on_commit_callbacks):
    at = next_local(8, 5)
    agency_b.agency.time_zone = "Asia/Kolkata"  # 08:05 in Beijing is 05:35 there
    agency_b.agency.save(update_fields=["time_zone"])
    open_alert(a, a.assigned_store, opened=at - datetime.timedelta(hours=3))
    with agency_b.scope():
        open_alert(agency_b, agency_b.assigned_store, opened=at - datetime.timedelta(hours=3))

    assert send_due_digests(django_capture_on_commit_callbacks, at - datetime.timedelta(minutes=20)) == 0
    assert mailoutbox == []

    assert send_due_digests(django_capture_on_commit_callbacks, at) == 1
    # Owner, manager (all stores) and the store's operator; the idle operator has nothing, the viewer no digest.
    assert sorted(message.to[0] for message in mailoutbox) == sorted([a.owner.email, a.manager.email,
                                                                      a.operator.email])
    assert all(message.subject == f"[{a.agency.name}] Daily alert digest, {at.date().isoformat()}"
               for message in mailoutbox)

    # The beat runs every 15 minutes, and a task may run twice: still one digest a day.
    assert send_due_digests(django_capture_on_commit_callbacks, at + datetime.timedelta(minutes=15)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_digest(agency_id=a.agency.pk, now=(at + datetime.timedelta(minutes=30)).isoformat())
        digest.digest_send(agency=a.agency, now=at + datetime.timedelta(hours=10))
    assert len(mailoutbox) == 3

    # 08:00 in Kolkata: agency B's turn.
    assert send_due_digests(django_capture_on_commit_callbacks, at + datetime.timedelta(hours=2, minutes=25)) == 1
    assert sorted(message.to[0] for message in mailoutbox[3:]) == sorted([agency_b.owner.email,
                                                                          agency_b.manager.email,
                                                                          agency_b.operator.email])

    assert send_due_digests(django_capture_on_commit_callbacks, at + datetime.timedelta(days=1)) == 1
    assert len(mailoutbox) == 9
    assert SentNotification.objects.filter(agency=a.agency, kind="digest", status="sent").count() == 6


def test_the_agency_chooses_its_digest_hour(a, mailoutbox):
    AlertPolicy.objects.update_or_create(agency=a.agency, defaults={"digest_hour": 9})
    at = next_local(8, 30)
    open_alert(a, a.assigned_store, opened=at - datetime.timedelta(hours=3))

    assert digest.digest_send(agency=a.agency, now=at) is None
    assert digest.agencies_due(now=at) == []
    assert digest.agencies_due(now=at + datetime.timedelta(minutes=30)) == [a.agency]
    done = digest.digest_send(agency=a.agency, now=at + datetime.timedelta(minutes=30))
    assert len(done.sent) == len(mailoutbox) == 3


def test_a_digest_with_nothing_to_say_is_not_sent_and_not_tried_again_that_day(a, mailoutbox):
    at = next_local(8, 0)

    done = digest.digest_send(agency=a.agency, now=at)

    assert mailoutbox == [] and len(done.skipped) == 4  # owner, manager and both operators have their digest on
    assert digest.agencies_due(now=at + datetime.timedelta(minutes=15)) == []


# -- what ----------------------------------------------------------------------------------------------------------
def test_it_lists_open_alerts_by_severity_what_opened_and_resolved_since_the_last_digest_and_stores_newly_red(
        a, mailoutbox):
    day_one = next_local(8, 0)
    old_red = open_alert(a, a.other_store, opened=day_one - datetime.timedelta(days=5))
    open_alert(a, a.other_store, rule="account_status", value="AT_RISK", target=None,
               opened=day_one - datetime.timedelta(hours=2))
    digest.digest_send(agency=a.agency, now=day_one)
    mailoutbox.clear()

    day_two = day_one + datetime.timedelta(days=1)
    new_red = open_alert(a, a.assigned_store, opened=day_one + datetime.timedelta(hours=3))
    yellow = open_alert(a, a.assigned_store, rule="cancel_rate", severity="yellow", value=0.022, target=0.025,
                        opened=day_one + datetime.timedelta(hours=4))
    recovered = open_alert(a, a.other_store, rule="odr_mfn", opened=day_one - datetime.timedelta(days=2),
                           status=Alert.Status.RESOLVED, resolved_at=day_one + datetime.timedelta(hours=5))
    open_alert(a, a.assigned_store, rule="valid_tracking_rate", opened=day_one + datetime.timedelta(hours=1),
               muted=True)
    digest.digest_send(agency=a.agency, now=day_two)

    [message] = digests_to(mailoutbox, a.manager)
    text = message.body
    since = day_one.strftime("%Y-%m-%d %H:%M")
    assert "Open alerts: 3 red, 1 yellow." in text
    red_part = part(text, "Open red alerts", "Open yellow alerts")
    assert "Late Shipment Rate: 4.6%" in red_part and "Account status: AT_RISK" in red_part
    assert "Pre-fulfilment Cancel Rate: 2.2%" in part(text, "Open yellow alerts", "Opened since")
    opened = part(text, f"Opened since {since}", f"Resolved since {since}")
    assert opened.count("\n- ") + opened.startswith("- ") == 2  # the new red and the yellow, not the older ones
    assert SITE + reverse("admin:alerts_alert_change", args=[new_red.pk]) in opened
    assert SITE + reverse("admin:alerts_alert_change", args=[yellow.pk]) in opened
    resolved = part(text, f"Resolved since {since}", "Stores newly red")
    assert SITE + reverse("admin:alerts_alert_change", args=[recovered.pk]) in resolved
    newly_red = part(text, "Stores newly red", "--")
    assert a.assigned_store.name in newly_red and a.other_store.name not in newly_red  # red for days already
    assert SITE + reverse("admin:alerts_alert_change", args=[old_red.pk]) not in opened
    assert "Valid Tracking Rate" not in text  # muted: nobody is emailed about it
    html = message.alternatives[0][0]
    assert f'href="{SITE + reverse("admin:accounts_store_change", args=[a.assigned_store.pk])}"' in html


def test_an_operator_hears_only_of_their_stores_and_preferences_are_kept(a, mailoutbox):
    at = next_local(8, 0)
    open_alert(a, a.assigned_store, opened=at - datetime.timedelta(hours=2))
    open_alert(a, a.other_store, rule="odr_mfn", opened=at - datetime.timedelta(hours=2))
    NotificationPreference.objects.create(agency=a.agency, user=a.owner, immediate=True, digest=False,
                                          scope=StoreScope.ALL_STORES, resolved=False)
    NotificationPreference.objects.create(agency=a.agency, user=a.viewer, immediate=False, digest=True,
                                          scope=StoreScope.ALL_STORES, resolved=False)

    digest.digest_send(agency=a.agency, now=at)

    assert sorted(message.to[0] for message in mailoutbox) == sorted([a.manager.email, a.operator.email,
                                                                      a.viewer.email])
    [operator_digest] = digests_to(mailoutbox, a.operator)
    assert a.assigned_store.name in operator_digest.body and a.other_store.name not in operator_digest.body
    assert "Open alerts: 1 red, 0 yellow." in operator_digest.body


# -- the sections of the other apps -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    title: str
    html: str
    text: str


def test_the_sections_of_other_apps_are_in_it_and_one_that_fails_is_left_out(a, mailoutbox, caplog):
    at = next_local(8, 0)
    make_document(a, type_code=types.BUSINESS_LICENCE, title="Licence expiring in 10 days",
                  issued_on=a.agency.today() - datetime.timedelta(days=800),
                  expires_on=a.agency.today() + datetime.timedelta(days=10))
    heard = []

    def cases(*, agency, recipient, since):
        heard.append((agency, recipient, since))
        return Section(title="Cases waiting for Amazon", html="<h2>Cases waiting for Amazon</h2><p>2 cases</p>",
                       text="Cases waiting for Amazon\n2 cases")

    def broken(*, agency, recipient, since):
        raise RuntimeError("this section is broken")

    with extensions.digest_sections.contributed(broken), extensions.digest_sections.contributed(cases):
        digest.digest_send(agency=a.agency, now=at)

    [message] = digests_to(mailoutbox, a.owner)  # no alert at all: the sections alone make the digest
    html = message.alternatives[0][0]
    assert "Appeal documents" in message.body and "Licence expiring in 10 days" in message.body
    assert "Licence expiring in 10 days" in html
    assert "Cases waiting for Amazon\n2 cases" in message.body and "<p>2 cases</p>" in html
    assert (a.agency, a.owner, at - digest.FIRST_DIGEST_LOOKBACK) in heard
    assert "this section is broken" in caplog.text


def test_the_digest_reads_the_same_number_of_queries_for_3_and_for_12_open_alerts(a, mailoutbox):
    at = next_local(8, 0)

    def queries_for(count, day):
        for _ in range(count):
            open_alert(a, StoreFactory(agency=a.agency, client=a.client), opened=at - datetime.timedelta(hours=2))
        with CaptureQueriesContext(connection) as captured:
            done = digest.digest_send(agency=a.agency, now=at + datetime.timedelta(days=day))
        assert len(done.sent) == 2  # the owner and the manager: none of these stores is an operator's
        return len(captured)

    assert queries_for(3, day=0) == queries_for(9, day=1)
