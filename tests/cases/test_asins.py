"""Which strings are ASINs (``cases.asins``), one at a time and pasted as a list, at the boundaries, without a
database."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.asins import MAX_ASINS, isbn_10_check_digit, normalise_asin, normalise_asins


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(value, function=normalise_asin):
    with pytest.raises(ValidationError) as caught:
        function(value)
    return caught.value


@pytest.mark.parametrize(("typed", "stored"), [
    ("B0CXYZ1234", "B0CXYZ1234"),
    ("b0cxyz1234", "B0CXYZ1234"),
    ("  B0CXYZ1234\n", "B0CXYZ1234"),
    ("Ｂ０ＣＸＹＺ１２３４", "B0CXYZ1234"),     # full-width
    ("B000000000", "B000000000"),
    ("B0ZZZZZZZZ", "B0ZZZZZZZZ"),
])
def test_b0_and_eight_letters_or_digits_is_an_asin_stored_upper_case(typed, stored):
    assert normalise_asin(typed) == stored


@pytest.mark.parametrize(("typed", "stored"), [
    ("0306406152", "0306406152"),
    ("080442957X", "080442957X"),
    ("080442957x", "080442957X"),      # the check digit X in lower case
    ("0000000000", "0000000000"),
])
def test_an_isbn_10_with_its_right_check_digit_is_an_asin(typed, stored):
    assert normalise_asin(typed) == stored


@pytest.mark.parametrize("typed", [
    "B0CXYZ123",        # 9 characters
    "B0CXYZ12345",      # 11 characters
    "B1CXYZ1234",       # B but not B0
    "A0CXYZ1234",
    "B0CXYZ-123",
    "B0 CXYZ123",
    "030640615",        # 9 digits
    "03064061521",      # 11 digits
    "03064061X2",       # X not in the check digit's place
    "0-306-40615-2",    # an ISBN with dashes
    "",
    "B0CXYZ12É4",
])
def test_anything_else_is_not_an_asin(typed):
    error = refusal(typed)
    assert error.code == "not_an_asin"
    assert f"“{typed}”" in error.messages[0]


@pytest.mark.parametrize(("typed", "expected"), [("0306406153", "2"), ("0804429579", "X"), ("0000000001", "0")])
def test_an_isbn_10_with_a_wrong_check_digit_is_refused_saying_which_digit_it_should_be(typed, expected):
    error = refusal(typed)
    assert error.code == "isbn_check_digit"
    assert error.messages == [f"“{typed}” is not an ASIN: as an ISBN-10 its check digit should be {expected}; check "
                              f"for a typo."]


def test_the_isbn_10_check_digit_is_ten_written_as_x():
    assert isbn_10_check_digit("080442957") == "X"
    assert isbn_10_check_digit("030640615") == "2"


def test_a_list_pasted_with_commas_spaces_and_new_lines_gives_each_asin_once_in_order():
    pasted = "B0CXYZ1234, b0aaaaaaaa;B0BBBBBBBB\n0306406152  b0cxyz1234，B0CCCCCCCC、B0AAAAAAAA\t"
    assert normalise_asins(pasted) == ["B0CXYZ1234", "B0AAAAAAAA", "B0BBBBBBBB", "0306406152", "B0CCCCCCCC"]


def test_a_list_of_strings_gives_each_asin_once_in_order_and_skips_blanks():
    assert normalise_asins(["b0bbbbbbbb", "", "  ", None, "B0AAAAAAAA", "B0BBBBBBBB"]) == ["B0BBBBBBBB", "B0AAAAAAAA"]


@pytest.mark.parametrize("nothing", [None, "", " \n ", [], ()])
def test_no_asins_is_an_empty_list(nothing):
    assert normalise_asins(nothing) == []


def test_every_bad_value_of_a_list_is_named_at_once():
    error = refusal("B0CXYZ1234, B0BAD, 0306406153, nope", normalise_asins)
    assert len(error.messages) == 3
    assert "“B0BAD”" in error.messages[0]
    assert "“0306406153”" in error.messages[1] and "should be 2" in error.messages[1]
    assert "“nope”" in error.messages[2]


def test_a_case_is_about_at_most_200_asins_and_201_are_refused_unread():
    asins = [f"B0{number:08d}" for number in range(MAX_ASINS + 1)]

    assert MAX_ASINS == 200
    assert normalise_asins(asins[:MAX_ASINS]) == asins[:MAX_ASINS]
    error = refusal([*asins[:MAX_ASINS], "nope"], normalise_asins)
    assert error.code == "too_many_asins"
    assert error.messages == ["201 ASINs given: a case is about at most 200. Open one case per group of listings."]
    assert refusal(" ".join(asins), normalise_asins).code == "too_many_asins"


def test_the_refusal_is_in_chinese_for_a_chinese_reader():
    error = refusal("B0BAD")
    with translation.override("zh-hans"):
        assert "“B0BAD”不是 ASIN" in error.messages[0]
