"""Object ids that arrive from outside (a URL, a query parameter): whole numbers in the range of the database's
ids, or nothing. A larger number or a word is "no such object", never a database overflow or a 500."""

# Ids are 64-bit integers (BigAutoField).
MAX_ID = 2**63 - 1


def object_id_or_none(value):
    """``value`` as an id, or ``None`` when it cannot be one."""
    text = str(value)
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
