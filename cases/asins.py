"""The ASINs a case is about: which strings are ASINs, and how a pasted list of them is read.

An ASIN is 10 characters, stored upper-case, and is either

* ``B0`` followed by 8 letters or digits (Amazon's own numbers: ``B0CXYZ1234``), or
* an ISBN-10 (a book's ASIN is its ISBN-10): 9 digits and a check digit (``0``–``9`` or ``X``) that makes
  ``10·d1 + 9·d2 + … + 1·d10`` a multiple of 11. A wrong check digit is a typo, refused with its own message.

Typed values are forgiven their case, surrounding spaces and full-width characters (a Chinese input method);
dashes are not removed: Seller Central never shows an ASIN with dashes, so a dashed value is more likely an order id
or a case id pasted in the wrong box.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ASIN_LENGTH = 10
#: The most ASINs one case is about: a case names the listings of one matter, and a longer list is refused before
#: any is read (a pasted catalogue is a mistake, and reading it would hold the request).
MAX_ASINS = 200

_AMAZON_NUMBER = re.compile(r"^B0[A-Z0-9]{8}$")
_ISBN_10 = re.compile(r"^[0-9]{9}[0-9X]$")
# Between ASINs in a pasted list: commas (also Chinese ones and the enumeration comma), semicolons, any space.
_SEPARATORS = re.compile(r"[,，、;；\s]+")

NOT_AN_ASIN = _("“%(value)s” is not an ASIN: an ASIN is 10 characters, B0 followed by 8 letters or digits, or "
                "an ISBN-10.")
TOO_MANY_ASINS = _("%(count)s ASINs given: a case is about at most %(max)s. Open one case per group of listings.")
BAD_ISBN_CHECK_DIGIT = _("“%(value)s” is not an ASIN: as an ISBN-10 its check digit should be %(expected)s; check "
                         "for a typo.")


def normalise_asin(text):
    """``text`` as a stored ASIN (upper-case, no surrounding spaces).

    Raises ``ValidationError`` naming the value as typed: code ``"not_an_asin"`` when it has neither ASIN form,
    ``"isbn_check_digit"`` when it has the ISBN-10 form but a wrong check digit.
    """
    typed = "" if text is None else str(text).strip()
    asin = unicodedata.normalize("NFKC", typed).upper()
    if _AMAZON_NUMBER.fullmatch(asin):
        return asin
    if _ISBN_10.fullmatch(asin):
        expected = isbn_10_check_digit(asin[:9])
        if asin[9] != expected:
            raise ValidationError(BAD_ISBN_CHECK_DIGIT, code="isbn_check_digit",
                                  params={"value": typed, "expected": expected})
        return asin
    raise ValidationError(NOT_AN_ASIN, code="not_an_asin", params={"value": typed})


def normalise_asins(value):
    """The ASINs of ``value``, normalised, each once, in the order first given.

    ``value`` is either text (ASINs separated by commas, semicolons, spaces or new lines, as pasted from a
    spreadsheet or Seller Central) or an iterable of strings; ``None`` and blank text give ``[]``. Blank items are
    skipped. Raises one ``ValidationError`` holding a message for each bad value (each named), so the operator fixes
    them all at once; more than ``MAX_ASINS`` values (blank ones aside) are refused with one message (code
    ``"too_many_asins"``), none of them read.
    """
    if value is None:
        return []
    items = _SEPARATORS.split(value) if isinstance(value, str) else list(value)
    items = [item for item in items if item is not None and str(item).strip()]
    if len(items) > MAX_ASINS:
        raise ValidationError(TOO_MANY_ASINS, code="too_many_asins", params={"count": len(items), "max": MAX_ASINS})
    asins, errors = {}, []
    for item in items:
        try:
            asin = normalise_asin(item)
        except ValidationError as error:
            errors.extend(error.error_list)
            continue
        asins.setdefault(asin, None)
    if errors:
        raise ValidationError(errors)
    return list(asins)


def isbn_10_check_digit(first_nine):
    """The ISBN-10 check digit (``"0"``–``"9"`` or ``"X"``) of 9 digits."""
    total = sum((10 - position) * int(digit) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)
