"""The freshness rules of ``documents.freshness`` at their boundaries, and a store's appeal kit, without a database."""

import datetime

import pytest
from django.utils import translation

from documents import types
from documents.freshness import KitState, State, appeal_kit, document_freshness
from documents.types import FreshnessRule

TODAY = datetime.date(2026, 3, 15)
WINDOW = 30
ISSUED_WITHIN_TYPES = [types.ADDRESS_PROOF, types.SUPPLIER_INVOICE, types.CARD_STATEMENT]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def in_days(days):
    return TODAY + datetime.timedelta(days=days)


def fresh(type_code=types.LEGAL_REPRESENTATIVE_ID, *, issued_on=None, expires_on=None, max_age_days=None,
          window=WINDOW):
    """The freshness today of a paper of a built-in type (an issued-within type ages for 90 days unless told)."""
    kind = types.built_in(type_code)
    if kind.rule == FreshnessRule.ISSUED_WITHIN and max_age_days is None:
        max_age_days = types.DEFAULT_MAX_AGE_DAYS
    return document_freshness(rule=kind.rule, issued_on=issued_on, expires_on=expires_on, max_age_days=max_age_days,
                              today=TODAY, expiring_within_days=window)


# -- papers that age from their issue date ----------------------------------------------------------------------
@pytest.mark.parametrize("type_code", ISSUED_WITHIN_TYPES)
def test_a_paper_issued_90_days_ago_is_still_good_and_91_days_ago_stale(type_code):
    day_90 = fresh(type_code, issued_on=days_ago(90))
    day_91 = fresh(type_code, issued_on=days_ago(91))

    assert day_90.state in (State.VALID, State.EXPIRING_SOON)
    assert day_90.is_ready
    assert day_90.good_until == TODAY
    assert day_91.state == State.STALE
    assert not day_91.is_ready
    assert day_91.good_until == days_ago(1)


@pytest.mark.parametrize("type_code", ISSUED_WITHIN_TYPES)
def test_the_agencys_own_number_of_days_moves_the_boundary(type_code):
    assert fresh(type_code, issued_on=days_ago(45), max_age_days=45).is_ready
    assert fresh(type_code, issued_on=days_ago(46), max_age_days=45).state == State.STALE
    assert fresh(type_code, issued_on=days_ago(120), max_age_days=180).state == State.VALID


def test_a_bill_issued_today_is_valid_until_its_days_are_up():
    judged = fresh(types.ADDRESS_PROOF, issued_on=TODAY)

    assert judged.state == State.VALID
    assert judged.good_until == in_days(90)


def test_a_bill_in_its_last_30_days_goes_stale_soon_and_one_day_before_the_window_is_valid():
    # Issued 60 days ago: 30 days left, inside the window; issued 59 days ago: 31 days left, outside it.
    assert fresh(types.ADDRESS_PROOF, issued_on=days_ago(60)).state == State.EXPIRING_SOON
    assert fresh(types.ADDRESS_PROOF, issued_on=days_ago(59)).state == State.VALID


@pytest.mark.parametrize("type_code", ISSUED_WITHIN_TYPES)
def test_a_paper_that_ages_from_its_issue_date_but_has_none_is_stale(type_code):
    judged = fresh(type_code)

    assert judged.state == State.STALE
    assert judged.good_until is None
    assert "No issue date" in judged.reason


# -- papers that end on their expiry date -----------------------------------------------------------------------
@pytest.mark.parametrize("type_code", [types.LEGAL_REPRESENTATIVE_ID, types.BUSINESS_LICENCE])
def test_an_id_that_expires_today_is_still_good_and_one_that_expired_yesterday_is_not(type_code):
    today = fresh(type_code, expires_on=TODAY)
    yesterday = fresh(type_code, expires_on=days_ago(1))

    assert today.state == State.EXPIRING_SOON
    assert today.is_ready
    assert yesterday.state == State.EXPIRED
    assert not yesterday.is_ready


def test_the_expiring_soon_window_holds_30_days_left_but_not_31():
    assert fresh(expires_on=in_days(30)).state == State.EXPIRING_SOON
    assert fresh(expires_on=in_days(31)).state == State.VALID


def test_the_agencys_own_window_moves_the_warning():
    assert fresh(expires_on=in_days(60), window=60).state == State.EXPIRING_SOON
    assert fresh(expires_on=in_days(61), window=60).state == State.VALID
    assert fresh(expires_on=in_days(1), window=0).state == State.VALID
    assert fresh(expires_on=TODAY, window=0).state == State.EXPIRING_SOON


def test_an_id_with_no_dates_at_all_is_valid_for_good():
    judged = fresh(types.LEGAL_REPRESENTATIVE_ID)

    assert judged.state == State.VALID
    assert judged.good_until is None


def test_a_paper_that_does_not_age_still_expires_on_its_expiry_date():
    assert fresh(types.EVIDENCE_SCREENSHOT, issued_on=days_ago(900)).state == State.VALID
    assert fresh(types.EVIDENCE_SCREENSHOT, issued_on=days_ago(10), expires_on=days_ago(1)).state == State.EXPIRED


# -- the earlier end decides ------------------------------------------------------------------------------------
def test_a_bill_whose_expiry_date_comes_before_its_age_limit_ends_on_its_expiry_date():
    judged = fresh(types.ADDRESS_PROOF, issued_on=days_ago(10), expires_on=in_days(20))

    assert judged.state == State.EXPIRING_SOON
    assert judged.good_until == in_days(20)
    assert "Expires on 2026-04-04" in judged.reason


def test_a_bill_whose_age_limit_comes_before_its_expiry_date_goes_stale_on_age():
    judged = fresh(types.ADDRESS_PROOF, issued_on=days_ago(91), expires_on=in_days(200))

    assert judged.state == State.STALE
    assert judged.good_until == days_ago(1)


def test_a_bill_that_went_stale_before_its_expiry_date_passed_is_stale_not_expired():
    judged = fresh(types.ADDRESS_PROOF, issued_on=days_ago(200), expires_on=days_ago(1))

    assert judged.state == State.STALE
    assert judged.good_until == days_ago(110)


def test_a_bill_whose_expiry_date_passed_before_its_age_limit_is_expired():
    judged = fresh(types.ADDRESS_PROOF, issued_on=days_ago(20), expires_on=days_ago(1))

    assert judged.state == State.EXPIRED
    assert judged.good_until == days_ago(1)


# -- reasons a person can read ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("judged", "reason"), [
    (lambda: fresh(expires_on=days_ago(1)), "Expired on 2026-03-14."),
    (lambda: fresh(expires_on=in_days(10)), "Expires on 2026-03-25 (10 days left)."),
    (lambda: fresh(expires_on=in_days(100)), "Valid until 2026-06-23."),
    (lambda: fresh(), "Valid, with no expiry date."),
    (lambda: fresh(types.ADDRESS_PROOF, issued_on=days_ago(91)),
     "Issued on 2025-12-14, more than 90 days ago: stale since 2026-03-15."),
    (lambda: fresh(types.ADDRESS_PROOF, issued_on=days_ago(80)), "Goes stale after 2026-03-25 (10 days left)."),
    (lambda: fresh(types.ADDRESS_PROOF, issued_on=days_ago(5)), "Fresh until 2026-06-08."),
    (lambda: fresh(types.ADDRESS_PROOF), "No issue date: this paper is good for 90 days from the day it was issued."),
])
def test_every_state_comes_with_a_reason_that_names_its_dates(judged, reason):
    assert str(judged().reason) == reason


# -- the appeal kit of a store ----------------------------------------------------------------------------------
KIT = list(types.DEFAULT_APPEAL_KIT)


def paper(type_code, name, **dates):
    return (type_code, name, fresh(type_code, **dates))


def full_kit():
    return [
        paper(types.LEGAL_REPRESENTATIVE_ID, "id", expires_on=in_days(400)),
        paper(types.BUSINESS_LICENCE, "licence"),
        paper(types.ADDRESS_PROOF, "bill", issued_on=days_ago(10)),
        paper(types.SUPPLIER_INVOICE, "invoice", issued_on=days_ago(5)),
    ]


def test_a_store_with_every_type_fresh_has_its_kit_ready():
    kit = appeal_kit(required=KIT, documents=full_kit())

    assert kit.is_ready
    assert kit.missing == [] and kit.stale == [] and kit.expiring == []
    assert [item.state for item in kit.items] == [KitState.READY] * 4


def test_a_store_lacking_one_type_reports_it_missing_and_is_not_ready():
    documents = [entry for entry in full_kit() if entry[0] != types.SUPPLIER_INVOICE]

    kit = appeal_kit(required=KIT, documents=documents)

    assert kit.missing == [types.SUPPLIER_INVOICE]
    assert not kit.is_ready
    missing = kit.items[KIT.index(types.SUPPLIER_INVOICE)]
    assert missing.document is None and missing.freshness is None


def test_the_freshest_document_of_a_type_decides():
    documents = [*full_kit(),
                 paper(types.ADDRESS_PROOF, "old bill", issued_on=days_ago(200)),
                 paper(types.LEGAL_REPRESENTATIVE_ID, "old id", expires_on=days_ago(3)),
                 paper(types.LEGAL_REPRESENTATIVE_ID, "id expiring", expires_on=in_days(5))]

    kit = appeal_kit(required=KIT, documents=documents)

    by_type = {item.type_code: item for item in kit.items}
    assert by_type[types.ADDRESS_PROOF].document == "bill"
    assert by_type[types.LEGAL_REPRESENTATIVE_ID].document == "id"
    assert kit.is_ready


def test_among_good_papers_the_one_good_the_longest_decides_and_no_end_is_longest():
    documents = [paper(types.BUSINESS_LICENCE, "licence to 2027", expires_on=in_days(300)),
                 paper(types.BUSINESS_LICENCE, "licence for good"),
                 paper(types.BUSINESS_LICENCE, "licence to 2026", expires_on=in_days(100))]

    kit = appeal_kit(required=[types.BUSINESS_LICENCE], documents=documents)

    assert kit.items[0].document == "licence for good"


def test_an_expiring_paper_is_ready_but_listed_as_expiring():
    documents = [paper(types.LEGAL_REPRESENTATIVE_ID, "id", expires_on=in_days(3))]

    kit = appeal_kit(required=[types.LEGAL_REPRESENTATIVE_ID], documents=documents)

    assert kit.items[0].state == KitState.EXPIRING_SOON
    assert kit.expiring == [types.LEGAL_REPRESENTATIVE_ID]
    assert kit.is_ready


def test_expired_and_stale_papers_are_not_ready():
    documents = [paper(types.LEGAL_REPRESENTATIVE_ID, "id", expires_on=days_ago(1)),
                 paper(types.BUSINESS_LICENCE, "licence"),
                 paper(types.ADDRESS_PROOF, "bill", issued_on=days_ago(91)),
                 paper(types.SUPPLIER_INVOICE, "invoice", issued_on=days_ago(1))]

    kit = appeal_kit(required=KIT, documents=documents)

    states = {item.type_code: item.state for item in kit.items}
    assert states[types.LEGAL_REPRESENTATIVE_ID] == KitState.EXPIRED
    assert states[types.ADDRESS_PROOF] == KitState.STALE
    assert kit.stale == [types.LEGAL_REPRESENTATIVE_ID, types.ADDRESS_PROOF]
    assert not kit.is_ready
    assert not kit.items[0].is_ready


def test_the_kit_keeps_the_order_the_agency_gave_and_ignores_other_types():
    required = [types.SUPPLIER_INVOICE, types.BRAND_AUTHORISATION, types.LEGAL_REPRESENTATIVE_ID]
    documents = [*full_kit(), paper(types.EVIDENCE_SCREENSHOT, "screenshot")]

    kit = appeal_kit(required=required, documents=reversed(documents))

    assert [item.type_code for item in kit.items] == required
    assert [item.state for item in kit.items] == [KitState.READY, KitState.MISSING, KitState.READY]


def test_an_empty_kit_is_ready():
    assert appeal_kit(required=[], documents=full_kit()).is_ready
