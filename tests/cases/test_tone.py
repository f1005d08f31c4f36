"""The tone check of ``cases.tone`` at its boundaries, in English and Chinese, without a database."""

import pytest
from django.utils import translation

from cases.tone import SHOUTING_MIN_LETTERS, ToneCheck, tone_warnings

DOMAIN_EXAMPLE = ("Our brand A+ content was rejected (Case 123-456-7890) for 'contains promotional information', but "
                  "it mentions no discount; please review it again and restore it.")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def warned(text, **kwargs):
    """The snippets of each warning of ``text``, by code."""
    return {warning.code: warning.snippets for warning in tone_warnings(text, **kwargs)}


@pytest.mark.parametrize("calm", [
    "Our listing B0CXYZ1234 was removed on 16 January. The invoice is attached. Please reinstate it.",
    "我们的商品 B0CXYZ1234 被下架了，附上发票，请帮忙恢复。",
    "The ODR of our FBA orders is 0.9% and our AHR is 250; the ASIN 0306406152 is a book.",
    "We shipped it! Thank you.",
    "",
    None,
])
def test_a_calm_message_has_no_warning(calm):
    assert tone_warnings(calm) == []


def test_the_domain_example_is_warned_only_for_again():
    assert warned(DOMAIN_EXAMPLE) == {ToneCheck.CHASING: ("again",)}


# -- exclamation marks ----------------------------------------------------------------------------------------
def test_one_exclamation_mark_is_calm_two_in_a_row_are_warned():
    assert warned("Please restore it!") == {}
    assert warned("Please restore it!!") == {ToneCheck.EXCLAMATIONS: ("it!!",)}


@pytest.mark.parametrize(("text", "snippet"), [
    ("恢复！！", "恢复！！"),
    ("now!！", "now!！"),
    ("Fix this now !!!", "!!!"),
])
def test_full_width_and_mixed_exclamation_marks_count(text, snippet):
    assert warned(text)[ToneCheck.EXCLAMATIONS] == (snippet,)


def test_every_run_is_a_snippet_of_one_warning_and_a_long_chinese_sentence_is_cut_to_its_end():
    warnings = tone_warnings("Why!! 我们已经等了很久很久很久了为什么还没有处理！！！")
    assert [warning.code for warning in warnings] == [ToneCheck.EXCLAMATIONS]
    assert warnings[0].snippets == ("Why!!", "久很久了为什么还没有处理！！！")  # the 12 characters before the run


# -- shouting -------------------------------------------------------------------------------------------------
def test_a_word_of_four_capitals_is_shouting_three_is_not():
    assert warned("Please HELP us") == {ToneCheck.SHOUTING: ("HELP",)}
    assert warned("Please FIX it") == {}


@pytest.mark.parametrize("acronyms", [
    "Our ASIN, ODR, AHR, FBA and FBM numbers are attached, see the PDF.",
    "ASINS B0CXYZ1234 and 0306406152, case 123-456-7890, FNSKU X00ABCDEFG",
    "our store on amazon.com (US) and DE",
])
def test_acronyms_of_the_trade_asins_and_case_ids_are_not_shouting(acronyms):
    assert warned(acronyms) == {}


def test_the_stores_brand_in_capitals_is_allowed_when_named():
    assert warned("Our brand ACMEWARE was hijacked") == {ToneCheck.SHOUTING: ("ACMEWARE",)}
    assert warned("Our brand ACMEWARE was hijacked", allowed_words=["AcmeWare"]) == {}


def test_capitals_inside_chinese_text_are_shouting_too():
    assert warned("请PLEASE处理") == {ToneCheck.SHOUTING: ("PLEASE",)}


def test_a_message_mostly_in_short_capital_words_is_shouting():
    assert warned("PLS FIX ALL NOW") == {ToneCheck.SHOUTING: ("PLS", "FIX", "ALL", "NOW")}


def test_too_few_letters_in_capitals_are_not_shouting():
    text = "PLS FIX NOW"    # 9 letters, under the minimum
    assert len(text.replace(" ", "")) < SHOUTING_MIN_LETTERS
    assert warned(text) == {}


def test_a_message_with_some_short_capital_words_is_not_shouting():
    assert warned("PLS fix the listing we sent YOU") == {}


# -- chasing and emotional words ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "snippets"), [
    ("This is URGENT", ("URGENT",)),
    ("Please act urgently and immediately.", ("urgently", "immediately")),
    ("Reply asap", ("asap",)),
    ("I am still   waiting for an answer", ("still   waiting",)),
    ("Again and again, please review it", ("Again",)),
    ("请马上处理，立刻恢复，立即回复", ("马上", "立刻", "立即")),
    ("我们再次联系你们，请尽快处理，赶紧", ("再次", "尽快", "赶紧")),
    ("请ASAP处理", ("ASAP",)),
])
def test_chasing_words_are_warned_each_once(text, snippets):
    assert warned(text).get(ToneCheck.CHASING) == snippets


@pytest.mark.parametrize("text", ["This is against policy", "The gains are small", "An urgentia brand"])
def test_english_words_only_match_whole(text):
    assert warned(text) == {}


@pytest.mark.parametrize(("text", "snippets"), [
    ("This is unacceptable and ridiculous", ("unacceptable", "ridiculous")),
    ("我们要投诉，这个结果无法接受", ("投诉", "无法接受")),
])
def test_emotional_words_are_warned(text, snippets):
    assert warned(text) == {ToneCheck.EMOTIONAL: snippets}


def test_one_warning_per_kind_in_the_order_of_the_checks():
    warnings = tone_warnings("This is UNACCEPTABLE!!! Fix it immediately, 马上!")
    assert [warning.code for warning in warnings] == [ToneCheck.EXCLAMATIONS, ToneCheck.SHOUTING, ToneCheck.CHASING,
                                                      ToneCheck.EMOTIONAL]
    assert warnings[1].snippets == ("UNACCEPTABLE",)
    assert warnings[2].snippets == ("immediately", "马上")
    assert warnings[3].snippets == ("UNACCEPTABLE",)


def test_a_warning_says_what_to_do():
    (warning,) = tone_warnings("Restore it!!")
    assert str(warning.message) == "Repeated exclamation marks read as shouting; end the sentence with one full stop."


def test_a_warning_is_in_chinese_for_a_chinese_reader():
    (warning,) = tone_warnings("请马上处理")
    with translation.override("zh-hans"):
        assert "催促" in str(warning.message)
