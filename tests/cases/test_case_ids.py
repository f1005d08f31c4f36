"""Amazon's case id as ``cases.case_ids`` reads, stores and shows it, at its boundaries, without a database."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.case_ids import MAX_DIGITS, MIN_DIGITS, display_case_id, normalise_case_id, validate_case_id


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(text, function=normalise_case_id):
    with pytest.raises(ValidationError) as caught:
        function(text)
    return caught.value


@pytest.mark.parametrize("typed", [
    "1234567890",
    "123-456-7890",
    "  123-456-7890  ",
    "123 456 7890",
    "123 - 456 - 7890",
    "１２３－４５６－７８９０",          # full-width, from a Chinese input method
    "123–456–7890",                    # en dashes, from a word processor
    "Case ID: 123-456-7890",
    "case id：1234567890",              # full-width colon
    "Case 1234567890",
    "Case #123-456-7890",
    "#1234567890",
])
def test_a_case_id_typed_with_or_without_dashes_is_stored_as_its_digits(typed):
    assert normalise_case_id(typed) == "1234567890"


def test_an_eleven_digit_case_id_is_stored_as_its_digits():
    assert normalise_case_id("12345678901") == "12345678901"


@pytest.mark.parametrize("digits", [MIN_DIGITS, MAX_DIGITS])
def test_a_case_id_of_the_fewest_and_the_most_digits_is_accepted(digits):
    assert normalise_case_id("7" * digits) == "7" * digits


@pytest.mark.parametrize("digits", [MIN_DIGITS - 1, MAX_DIGITS + 1])
def test_a_case_id_of_one_digit_too_few_or_too_many_is_refused(digits):
    assert refusal("7" * digits).code == "malformed"


@pytest.mark.parametrize("typed", [
    "123-456-789O",             # a letter O for a zero
    "123--456-7890",            # two dashes in a row
    "-1234567890",
    "1234567890-",
    "123.456.7890",
    "123/456/7890",
    "111-2223333-4444444",      # an order id
    "B0CXYZ1234",               # an ASIN in the wrong box
    "Case",
    "Case ID: ",
    "١٢٣٤٥٦٧٨٩٠",               # Arabic-Indic digits are digits to Python, not to Amazon
])
def test_anything_but_digits_with_single_dashes_or_spaces_is_refused(typed):
    assert refusal(typed).code == "malformed"


def test_a_refused_case_id_is_named_in_the_message_as_typed():
    message = refusal("  123-456-789O ").messages[0]
    assert "“123-456-789O”" in message
    assert "8 to 12 digits" in message


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_case_id_is_refused_asking_for_one(blank):
    error = refusal(blank)
    assert error.code == "empty"
    assert error.messages == ["Enter Amazon's case id, as 1234567890 or 123-456-7890."]


def test_the_refusal_is_in_chinese_for_a_chinese_reader():
    error = refusal("123-ABC")
    with translation.override("zh-hans"):
        message = error.messages[0]
    assert "“123-ABC”" in message
    assert "不是亚马逊的工单编号" in message


def test_ten_digits_are_shown_as_seller_central_shows_them():
    assert display_case_id("1234567890") == "123-456-7890"


@pytest.mark.parametrize("digits", ["12345678901", "123456789", ""])
def test_other_lengths_are_shown_unchanged(digits):
    assert display_case_id(digits) == digits


def test_display_of_no_case_id_is_empty():
    assert display_case_id(None) == ""


def test_the_field_validator_accepts_the_stored_form():
    assert validate_case_id("1234567890") is None


def test_the_field_validator_refuses_a_typed_form_saying_it_is_stored_as_digits():
    error = refusal("123-456-7890", validate_case_id)
    assert error.code == "not_normalised"
    assert "“123-456-7890”" in error.messages[0]
    assert "digits only" in error.messages[0]


def test_the_field_validator_refuses_a_malformed_id():
    assert refusal("12345", validate_case_id).code == "malformed"
