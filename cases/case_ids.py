"""Amazon's case id: what an operator may type, the form it is stored in, and the form it is shown in.

Seller Central shows a case id as ``1234567890`` or ``123-456-7890``; the product stores its digits only, so one
case is one id however it was typed, and a search for either form finds it.

The rule:

1. Surrounding spaces are ignored, and so is a label copied along with the id: ``Case ID: 123-456-7890``,
   ``Case 1234567890``, ``#1234567890`` (English; Chinese labels are not recognised: paste the id alone).
2. Full-width digits and dashes (typed with a Chinese input method), and the typographic dashes a word processor
   puts in (‐ ‑ ‒ –), count as their ASCII forms.
3. The id is groups of digits separated by single dashes or spaces (``123-456-7890``, ``123 456 7890``); any
   other character (a letter, a dot, a slash, two dashes in a row, a dash at either end) refuses it.
4. It has ``MIN_DIGITS`` to ``MAX_DIGITS`` digits. Amazon's ids have been 10 digits, newer ones 11; the range is
   wider on purpose so that no real id is ever refused, while an order id (17 digits with dashes), an ASIN or a
   phone number with a country code is.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_DIGITS = 8
MAX_DIGITS = 12

_LABEL = re.compile(r"^(?:case\s*(?:id|number|no\.?)?\s*[:#]?|#)\s*", re.IGNORECASE)
_GROUPED_DIGITS = re.compile(r"^[0-9]+(?:(?: ?- ?| )[0-9]+)*$")
_TYPOGRAPHIC_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})

MALFORMED = _("“%(value)s” is not an Amazon case id: enter its %(min)s to %(max)s digits, as 1234567890 or "
              "123-456-7890.")
EMPTY = _("Enter Amazon's case id, as 1234567890 or 123-456-7890.")
NOT_STORED_FORM = _("“%(value)s” is not a case id as stored: digits only, %(min)s to %(max)s of them.")


def normalise_case_id(text):
    """The digits of the case id in ``text`` (``"123-456-7890"`` → ``"1234567890"``).

    Raises ``ValidationError`` (code ``"empty"`` or ``"malformed"``, the message naming the value as typed) when
    ``text`` is blank or is not a case id by the rule of this module.
    """
    typed = "" if text is None else str(text).strip()
    if not typed:
        raise ValidationError(EMPTY, code="empty")
    candidate = _LABEL.sub("", unicodedata.normalize("NFKC", typed).translate(_TYPOGRAPHIC_DASHES), count=1).strip()
    if not _GROUPED_DIGITS.fullmatch(candidate):
        raise _malformed(typed)
    digits = re.sub(r"[^0-9]", "", candidate)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise _malformed(typed)
    return digits


def display_case_id(digits):
    """The case id as Seller Central shows it: ``123-456-7890`` for 10 digits; any other length unchanged (Amazon
    has no dashed form for it)."""
    digits = digits or ""
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


def validate_case_id(value):
    """The validator of a model field holding a case id: the stored form only (digits, ``MIN_DIGITS`` to
    ``MAX_DIGITS`` of them). A value in a typed form (``123-456-7890``) is refused with a message saying it must be
    stored as digits: services call ``normalise_case_id`` before saving."""
    normalised = normalise_case_id(value)
    if normalised != value:
        raise ValidationError(NOT_STORED_FORM, code="not_normalised",
                              params={"value": value, "min": MIN_DIGITS, "max": MAX_DIGITS})


def _malformed(typed):
    return ValidationError(MALFORMED, code="malformed", params={"value": typed, "min": MIN_DIGITS, "max": MAX_DIGITS})
