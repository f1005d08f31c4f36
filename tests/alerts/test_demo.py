"""The demo's history opens alerts as ``loaddemo`` loads it; nobody is emailed about them, whoever sends the emails
(in-process here, as under ``make run``), and none is left waiting for an email a worker would send later."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import Agency
from alerts.models import Alert
from alerts.notifications import escalation


@pytest.mark.django_db(transaction=True)
def test_loaddemo_opens_the_demos_alerts_and_emails_nobody_about_them(mailoutbox):
    call_command("loaddemo", "--password", "demo-test-pass", stdout=io.StringIO(), stderr=io.StringIO())

    agency = Agency.objects.get(slug="demo")
    with scopes_disabled():
        alerts = Alert.objects.filter(agency=agency, severity=Alert.Severity.RED)
        assert alerts.exists(), "the demo's stores in trouble have their red alerts"
        assert not Alert.objects.filter(agency=agency).exclude(notice_due="").exists()
    assert [message.subject for message in mailoutbox if "invit" not in message.subject.lower()] == []
    assert agency not in escalation.agencies_to_visit(), "nothing left for the periodic round to send"
