"""A metrics CSV file read as a stream: its header checked first, then its rows in chunks, each row with its
line number (the header is line 1), so that a file of a million rows never sits in memory."""

import csv

from django.utils.translation import gettext_lazy as _

from .. import metrics
from .results import RowError
from .validation import DATE, MARKETPLACE, SELLER_ID, STORE, shown

#: The line of the header.
HEADER_LINE = 1
#: Rows validated and staged together.
CHUNK_ROWS = 5000

_REFERENCE_COLUMNS = (STORE, SELLER_ID, MARKETPLACE)
ALLOWED_COLUMNS = frozenset((*_REFERENCE_COLUMNS, DATE, *metrics.KEYS))


def header_errors(header):
    """What is wrong with a file's columns, before any row is read: unknown or repeated columns, no date, no way
    to name the store."""
    if not header:
        return [RowError(HEADER_LINE, "non_field_errors", _("The file is empty: its first line names the columns."))]
    errors = []
    seen = set()
    for column in header:
        if column in seen:
            errors.append(RowError(HEADER_LINE, column, _("The column %(value)s appears twice.")
                                   % {"value": shown(column)}))
        elif column not in ALLOWED_COLUMNS:
            errors.append(RowError(HEADER_LINE, column, _("Unknown column %(value)s.") % {"value": shown(column)}))
        seen.add(column)
    if DATE not in seen:
        errors.append(RowError(HEADER_LINE, DATE, _("The file has no date column.")))
    if STORE not in seen and not {SELLER_ID, MARKETPLACE} <= seen:
        errors.append(RowError(HEADER_LINE, STORE, _("The file names no store: add a store column, or seller_id "
                                                     "and marketplace columns.")))
    return errors


def read_header(file):
    """``(reader, header, errors)`` for a text stream opened with ``newline=""``."""
    reader = csv.reader(file)
    header = [column.strip().lstrip("\ufeff") for column in next(reader, [])]
    return reader, header, header_errors(header)


def chunks(reader, header, *, size=CHUNK_ROWS):
    """``(rows, line numbers, errors)`` for every ``size`` rows of the file (blank lines skipped); a line with
    another number of fields than the header is an error, not a row."""
    width = len(header)
    rows, lines, errors = [], [], []
    for fields in reader:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != width:
            errors.append(RowError(reader.line_num, "non_field_errors",
                                   _("The line has %(found)s fields, the header %(expected)s.")
                                   % {"found": len(fields), "expected": width}))
        else:
            rows.append(dict(zip(header, fields, strict=True)))
            lines.append(reader.line_num)
        if len(rows) + len(errors) >= size:
            yield rows, lines, errors
            rows, lines, errors = [], [], []
    if rows or errors:
        yield rows, lines, errors
