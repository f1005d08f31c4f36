"""Reading a pasted HR chat transcript (``cases.transcripts``): the forms read, the roles, the limits, without a
database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.transcripts import (
    MAX_MESSAGES,
    MAX_TRANSCRIPT_CHARS,
    SenderRole,
    TranscriptMessage,
    parse_transcript,
    sender_role,
)

SELLER, AMAZON, SYSTEM = SenderRole.SELLER, SenderRole.AMAZON, SenderRole.SYSTEM


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(hour, minute, second=0):
    return datetime.time(hour, minute, second)


def refusal(text):
    with pytest.raises(ValidationError) as caught:
        parse_transcript(text)
    return caught.value


def test_a_seller_central_transcript_is_read_message_by_message_in_order():
    transcript = """Chat transcript for case 1234567890
Amazon (10:02 AM): Hello, my name is Priya. How can I help?
You (10:03 AM): Our listing B0CXYZ1234 was removed.
It was restored once already.

Here is the invoice.
Priya (10:05 PM): Thank you, let me check.
"""
    assert parse_transcript(transcript) == [
        TranscriptMessage("Amazon", AMAZON, at(10, 2), "Hello, my name is Priya. How can I help?"),
        TranscriptMessage("You", SELLER, at(10, 3),
                          "Our listing B0CXYZ1234 was removed.\nIt was restored once already.\n\nHere is the invoice."),
        TranscriptMessage("Priya", AMAZON, at(22, 5), "Thank you, let me check."),
    ]


@pytest.mark.parametrize(("line", "sender", "sent_at", "text"), [
    ("Amazon (10:02 AM): Hello", "Amazon", at(10, 2), "Hello"),
    ("Amazon (10:02): Hello", "Amazon", at(10, 2), "Hello"),
    ("Amazon (22:02:15): Hello", "Amazon", at(22, 2, 15), "Hello"),
    ("Amazon (10:02 p.m.): Hello", "Amazon", at(22, 2), "Hello"),
    ("Amazon（10:02）：Hello", "Amazon", at(10, 2), "Hello"),
    ("Amazon (2026-01-16 10:02): Hello", "Amazon", datetime.datetime(2026, 1, 16, 10, 2), "Hello"),
    ("[10:02] Amazon: Hello: a colon in the text", "Amazon", at(10, 2), "Hello: a colon in the text"),
    ("[10:02 AM] Seller Support: Hello", "Seller Support", at(10, 2), "Hello"),
    ("［下午2:30］亚马逊客服：您好", "亚马逊客服", at(14, 30), "您好"),
    ("10:02 Amazon: Hello", "Amazon", at(10, 2), "Hello"),
    ("10:02 AM Amy: Hello", "Amy", at(10, 2), "Hello"),
    ("10:02 Amy: Hello", "Amy", at(10, 2), "Hello"),
    ("2026/01/16 10:02 Amy: Hello", "Amy", datetime.datetime(2026, 1, 16, 10, 2), "Hello"),
    ("You: Hello", "You", None, "Hello"),
    ("我：你好", "我", None, "你好"),
    ("Amazon: Hello", "Amazon", None, "Hello"),
])
def test_each_form_of_a_message_line_is_read(line, sender, sent_at, text):
    (message,) = parse_transcript(line)
    assert (message.sender, message.sent_at, message.text) == (sender, sent_at, text)


def test_a_block_header_starts_a_message_whose_text_is_below_it():
    transcript = ("Seller Support Associate    10:02 AM\nHello.\nHow can I help?\n"
                  "You\t10:04 AM\nOur listing was removed.")
    assert parse_transcript(transcript) == [
        TranscriptMessage("Seller Support Associate", AMAZON, at(10, 2), "Hello.\nHow can I help?"),
        TranscriptMessage("You", SELLER, at(10, 4), "Our listing was removed."),
    ]


@pytest.mark.parametrize(("stamp", "sent_at"), [
    ("12:00 AM", at(0, 0)),
    ("12:59 AM", at(0, 59)),
    ("1:00 AM", at(1, 0)),
    ("12:00 PM", at(12, 0)),
    ("11:59 PM", at(23, 59)),
    ("0:00", at(0, 0)),
    ("23:59:59", at(23, 59, 59)),
    ("上午12:30", at(0, 30)),
    ("下午12:30", at(12, 30)),
])
def test_times_are_read_on_both_clocks_at_their_edges(stamp, sent_at):
    assert parse_transcript(f"Amazon ({stamp}): Hello")[0].sent_at == sent_at


@pytest.mark.parametrize("stamp", ["24:00", "13:00 PM", "0:30 AM", "10:60", "10:02:60", "2026-02-30 10:02"])
def test_a_time_no_clock_shows_does_not_start_a_message(stamp):
    transcript = f"You (10:00): Hello\nAmazon ({stamp}): is this a message?"
    (message,) = parse_transcript(transcript)
    assert message.text == f"Hello\nAmazon ({stamp}): is this a message?"


@pytest.mark.parametrize(("sender", "role"), [
    ("You", SELLER), ("you", SELLER), ("Me", SELLER), ("我", SELLER), ("Seller", SELLER), ("卖家", SELLER),
    ("Amazon", AMAZON), ("Seller Support", AMAZON), ("Seller Support Associate", AMAZON), ("Chat bot", AMAZON),
    ("Amazon Assistant", AMAZON), ("亚马逊客服", AMAZON), ("Priya", AMAZON),
])
def test_you_me_and_the_seller_are_the_seller_anyone_else_is_amazon(sender, role):
    assert parse_transcript(f"{sender} (10:02): Hello")[0].role == role
    assert sender_role(sender) == role


def test_the_stores_and_operators_names_are_the_seller():
    transcript = "Acme Store (10:02): Hello\nLi Wei (10:03): Hi\nPriya (10:04): Hello"
    roles = [message.role for message in parse_transcript(transcript, seller_names=["ACME store", " Li Wei "])]
    assert roles == [SELLER, SELLER, AMAZON]
    assert sender_role("acme store", seller_names=["Acme Store"]) == SELLER


def test_a_line_without_a_time_starts_a_message_only_for_a_known_sender():
    transcript = "Amazon (10:02): Hello\nNote: the listing was removed\nYou: Thanks\nPriya: not a new message"
    assert parse_transcript(transcript) == [
        TranscriptMessage("Amazon", AMAZON, at(10, 2), "Hello\nNote: the listing was removed"),
        TranscriptMessage("You", SELLER, None, "Thanks\nPriya: not a new message"),
    ]


@pytest.mark.parametrize(("line", "text", "sent_at"), [
    ("Chat transferred to the Brand Registry team", "Chat transferred to the Brand Registry team", None),
    ("The chat has ended", "The chat has ended", None),
    ("You are now connected with Priya", "You are now connected with Priya", None),
    ("Priya has joined the chat", "Priya has joined the chat", None),
    ("[10:05] Priya has left the conversation", "Priya has left the conversation", at(10, 5)),
    ("10:05 AM Transferring you to a specialist", "Transferring you to a specialist", at(10, 5)),
    ("对话已结束", "对话已结束", None),
    ("客服已加入聊天", "客服已加入聊天", None),
])
def test_seller_centrals_own_lines_are_system_messages(line, text, sent_at):
    transcript = f"You (10:02): Hello\n{line}"
    assert parse_transcript(transcript)[1] == TranscriptMessage("", SYSTEM, sent_at, text)


def test_a_message_that_mentions_leaving_the_chat_is_not_a_system_line():
    transcript = "You (10:02): Hello\nYou (10:03): I left the chat window open"
    assert [message.role for message in parse_transcript(transcript)] == [SELLER, SELLER]


def test_a_message_with_no_text_on_its_line_or_below_is_kept_empty():
    assert parse_transcript("You (10:02):\nAmazon (10:03): Hi")[0].text == ""


def test_windows_line_endings_and_a_byte_order_mark_are_read():
    messages = parse_transcript("\ufeffYou (10:02): Hello\r\nsecond line\r\nAmazon (10:03): Hi\r\n")
    assert [message.text for message in messages] == ["Hello\nsecond line", "Hi"]


def test_a_transcript_of_the_most_characters_is_read_one_more_is_refused_naming_the_limit():
    line = "You (10:02): " + "x" * 300 + "\n"
    longest = (line * (MAX_TRANSCRIPT_CHARS // len(line) + 1))[:MAX_TRANSCRIPT_CHARS]
    assert len(parse_transcript(longest)) <= MAX_MESSAGES
    error = refusal(longest + "x")
    assert error.code == "too_long"
    assert error.messages == [f"The transcript is {MAX_TRANSCRIPT_CHARS + 1} characters long; the most this product "
                              f"reads is {MAX_TRANSCRIPT_CHARS}. Paste a shorter part of the chat."]


def test_a_transcript_of_the_most_messages_is_read_one_more_is_refused_naming_the_limit():
    most = "\n".join(f"You (10:02): {number}" for number in range(MAX_MESSAGES))
    assert len(parse_transcript(most)) == MAX_MESSAGES
    error = refusal(most + "\nAmazon (10:03): one too many")
    assert error.code == "too_many_messages"
    assert str(MAX_MESSAGES) in error.messages[0]


@pytest.mark.parametrize("unreadable", [
    "",
    "   \n\n",
    None,
    "Hello, our listing was removed.\nPlease help.",
    "Priya: hello",     # no time, and not a sender known without one
])
def test_a_text_with_no_recognisable_message_is_refused_saying_what_form_is_expected(unreadable):
    error = refusal(unreadable)
    assert error.code == "no_message"
    assert "“Amazon (10:02 AM): Hello”" in error.messages[0]


def test_the_refusal_is_in_chinese_for_a_chinese_reader():
    error = refusal("随便一段文字")
    with translation.override("zh-hans"):
        assert "未能识别" in error.messages[0]
