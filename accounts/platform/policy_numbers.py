"""The numbers of an agency's policy rows (the document, case and chat policies), as a person or a key sends them:
one rule for what a whole number within a field's bounds is, and one message naming the value and the bounds (the
model's own validators name only the bound that was crossed)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _


def whole_number_within(model, name, value):
    """``(number, None)``: ``value`` (an int, or a string of digits) as a whole number within the bounds of the field
    ``name`` of ``model`` (its validators; from 0 when it has no lower one); else ``(None, message)``."""
    field = model._meta.get_field(name)
    low = max([0, *(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))])
    high = min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
    number = value
    if isinstance(value, str) and value.strip().removeprefix("-").isdigit():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        return None, _("“%(value)s” is not a whole number from %(min)s to %(max)s.") % {
            "value": value, "min": low, "max": high}
    return number, None
