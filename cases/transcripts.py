"""Reading an HR chat transcript pasted from Seller Central: who said what, and when.

``parse_transcript`` turns the text into messages (sender, role, time, text), in the order written. A message
starts on a line in one of these forms (a colon may be the full-width ``：``, brackets the full-width ones):

1. ``Amazon (10:02 AM): Hello`` or ``You (10:03): Hi``: the sender, the time in brackets, a colon, the text;
2. ``[10:02 AM] Amazon: Hello``: the time in square brackets first;
3. ``10:02 Amazon: Hello``: the time first, without brackets (so a line of text such as ``10:30 update: shipped``
   starts a message from "update": a pasted transcript has no better mark of a message);
4. ``Seller Support Associate    10:02 AM`` on a line of its own (two or more spaces, or a tab, before the time),
   the text on the lines below (Seller Central's chat window, copied as shown);
5. ``You: Hello``, without a time, only for a sender named exactly as one of ``SELLER_NAMES``, the caller's
   ``seller_names`` or ``AMAZON_NAMES`` (any other "word: text" line is text, not a new message).

A time is ``H:MM``, ``H:MM:SS``, with ``AM``/``PM`` (or ``上午``/``下午`` before it), and may have a date before it
(``2026-01-16 10:02``, ``2026/01/16 10:02``; day-first and month-first dates are ambiguous, so not read). A time that
cannot be (``25:00``, ``13:00 PM``) does not start a message. ``sent_at`` is a ``datetime.time``, or a naive
``datetime.datetime`` when a date is given: a pasted chat says nothing of its time zone.

The other lines:

* a line of Seller Central's own (``Chat transferred to …``, ``You are now connected with …``, ``… has joined the
  chat``, ``对话已结束``), with or without a time before it, is a message of the ``SYSTEM`` role with no sender;
* any other line continues the message above it (blank lines kept inside a message, trimmed at its ends);
* lines before the first message (a title, a case number copied along) are left out.

The role of a sender: ``SELLER`` for ``You``/``Me``/``我`` (``SELLER_NAMES``) and the caller's ``seller_names``
(the store's name, the operator's); anyone else is ``AMAZON``: Seller Central names the other side by the
associate's first name, or as the assistant or Seller Support.

Limits: a transcript longer than ``MAX_TRANSCRIPT_CHARS`` or with more than ``MAX_MESSAGES`` messages is refused
(``ValidationError`` naming the limit), and so is a text in which no message is recognised (the message says what
form is expected).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TRANSCRIPT_CHARS = 100_000
MAX_MESSAGES = 500
MAX_SENDER_CHARS = 60


class SenderRole(models.TextChoices):
    SELLER = "seller", _("Seller")
    AMAZON = "amazon", _("Amazon")
    SYSTEM = "system", _("Seller Central")


@dataclass(frozen=True)
class TranscriptMessage:
    """One message of a chat: ``sender`` as written (``""`` for a system line), its ``role`` (a ``SenderRole``),
    ``sent_at`` (``datetime.time``, ``datetime.datetime`` or ``None``) and its ``text``."""

    sender: str
    role: str
    sent_at: datetime.time | datetime.datetime | None
    text: str


SELLER_NAMES = ("you", "me", "我", "seller", "卖家")
AMAZON_NAMES = ("amazon", "seller support", "amazon seller support", "associate", "chat bot", "chatbot",
                "assistant", "亚马逊", "客服", "亚马逊客服")

TOO_LONG = _("The transcript is %(size)s characters long; the most this product reads is %(limit)s. Paste a "
             "shorter part of the chat.")
TOO_MANY_MESSAGES = _("The transcript has more than %(limit)s messages, the most this product reads. Paste a "
                      "shorter part of the chat.")
NO_MESSAGE = _("No chat message was recognised in the transcript. Paste it with each message starting on its own "
               "line with who wrote it and when, as “Amazon (10:02 AM): Hello” or “[10:02] You: Hello”.")

_DATE = r"(?:(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?:\s+|T|,\s*))?"
_TIME = (r"(?:(?P<half_before>上午|下午)\s*)?(?P<hour>\d{1,2})[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2}))?"
         r"(?:\s*(?P<half>[AaPp]\.?\s?[Mm]\.?)(?![A-Za-z]))?")
_STAMP = _DATE + _TIME
_SENDER = rf"(?P<sender>[^\s:：()（）\[\]［］【】][^:：()（）\[\]［］【】]{{0,{MAX_SENDER_CHARS - 1}}}?)"
_COLON = r"\s*[:：]\s?(?P<text>.*)"
_OPEN, _CLOSE = r"[(（]", r"[)）]"
_OPEN_SQUARE, _CLOSE_SQUARE = r"[\[［【]", r"[\]］】]"

_SENDER_THEN_TIME = re.compile(rf"{_SENDER}\s*{_OPEN}\s*{_STAMP}\s*{_CLOSE}{_COLON}")
_BRACKETED_TIME_THEN_SENDER = re.compile(rf"{_OPEN_SQUARE}\s*{_STAMP}\s*{_CLOSE_SQUARE}\s*{_SENDER}{_COLON}")
_TIME_THEN_SENDER = re.compile(rf"{_STAMP}\s+{_SENDER}{_COLON}")
_BLOCK_HEADER = re.compile(rf"{_SENDER}(?: {{2,}}|\t)\s*{_STAMP}\s*")
_SENDER_ONLY = re.compile(rf"{_SENDER}{_COLON}")

_STAMP_PREFIXES = (re.compile(rf"{_OPEN_SQUARE}\s*{_STAMP}\s*{_CLOSE_SQUARE}\s*(?P<rest>.*)"),
                   re.compile(rf"{_STAMP}\s+(?P<rest>.*)"))
_SYSTEM_LINE = re.compile(
    r"(?:the\s+)?(?:chat|conversation)\s+(?:was\s+|has\s+been\s+|has\s+|is\s+being\s+|is\s+)?"
    r"(?:transferred|ended|closed|started)\b.*"
    r"|(?:you\s+are|you're)\s+now\s+(?:connected|chatting)\b.*"
    r"|transferring\s+you\b.*"
    r"|[^:：]{1,60}?\s+(?:has\s+)?(?:joined|left)\s+the\s+(?:chat|conversation)\b.*"
    r"|(?:聊天|对话|会话)已(?:经)?(?:转接|结束|关闭).*"
    r"|[^:：]{0,60}已(?:加入|离开)(?:聊天|对话|会话).*"
    r"|正在(?:为您)?转接.*",
    re.IGNORECASE)
_SYSTEM_LINE_MAX_CHARS = 200


def parse_transcript(text, *, seller_names=()):
    """The messages of the transcript ``text``, in order (see the module's docstring for the forms read).

    ``seller_names`` are the names that write for the seller besides ``You``/``Me``/``我`` (the store's name, the
    operator's), compared without regard to case. Raises ``ValidationError`` with code ``"too_long"``,
    ``"too_many_messages"`` or ``"no_message"``.
    """
    text = (text or "").lstrip("\ufeff")
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise ValidationError(TOO_LONG, code="too_long", params={"size": len(text), "limit": MAX_TRANSCRIPT_CHARS})
    sellers = {name.casefold() for name in SELLER_NAMES} | {name.strip().casefold() for name in seller_names}
    # Each message as [sender, role, sent_at, lines]; its lines grow until the next message starts.
    messages = []
    for line in text.splitlines():
        started = _message_starting(line.strip(), sellers)
        if started is None:
            if messages:
                messages[-1][3].append(line.rstrip())
            continue
        if len(messages) == MAX_MESSAGES:
            raise ValidationError(TOO_MANY_MESSAGES, code="too_many_messages", params={"limit": MAX_MESSAGES})
        messages.append(started)
    if not messages:
        raise ValidationError(NO_MESSAGE, code="no_message")
    return [TranscriptMessage(sender, role, sent_at, "\n".join(lines).strip()) for sender, role, sent_at, lines
            in messages]


def sender_role(sender, *, seller_names=()):
    """The role of ``sender``: ``SELLER`` for ``SELLER_NAMES`` and ``seller_names`` (in any case), else ``AMAZON``."""
    sellers = {name.casefold() for name in SELLER_NAMES} | {name.strip().casefold() for name in seller_names}
    return _role(sender, sellers)


def _role(sender, sellers):
    return SenderRole.SELLER if sender.strip().casefold() in sellers else SenderRole.AMAZON


def _message_starting(line, sellers):
    """``[sender, role, sent_at, lines]`` when ``line`` starts a message, else ``None``."""
    if not line:
        return None
    system = _system_line(line)
    if system is not None:
        return system
    for form in (_SENDER_THEN_TIME, _BRACKETED_TIME_THEN_SENDER, _TIME_THEN_SENDER, _BLOCK_HEADER):
        match = form.fullmatch(line)
        if match is None:
            continue
        sent_at = _sent_at(match)
        if sent_at is None:
            continue
        sender = match["sender"].strip()
        return [sender, _role(sender, sellers), sent_at, [match.groupdict().get("text") or ""]]
    match = _SENDER_ONLY.fullmatch(line)
    if match is not None:
        sender = match["sender"].strip()
        if sender.casefold() in sellers or sender.casefold() in AMAZON_NAMES:
            return [sender, _role(sender, sellers), None, [match["text"]]]
    return None


def _system_line(line):
    if len(line) > _SYSTEM_LINE_MAX_CHARS:
        return None
    sent_at, rest = None, line
    for prefix in _STAMP_PREFIXES:
        prefixed = prefix.fullmatch(line)
        if prefixed is not None and _sent_at(prefixed) is not None:
            sent_at, rest = _sent_at(prefixed), prefixed["rest"]
            break
    if _SYSTEM_LINE.fullmatch(rest):
        return ["", SenderRole.SYSTEM, sent_at, [rest]]
    return None


def _sent_at(match):
    """The time (or date and time) of a matched stamp; ``None`` when no clock shows it."""
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    half = (match["half"] or match["half_before"] or "").replace(".", "").replace(" ", "").upper()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half in ("PM", "下午") else 0)
    if not (hour <= 23 and minute <= 59 and second <= 59):
        return None
    if match["year"] is None:
        return datetime.time(hour, minute, second)
    try:
        return datetime.datetime(int(match["year"]), int(match["month"]), int(match["day"]), hour, minute, second)
    except ValueError:
        return None
