"""Files of rows that people exchange with the product: the CSV and XLSX formats of imports and exports.

* **At most ``IMPORT_MAX_ROWS`` rows** (a setting) are read from a file; a longer file is refused as a whole with
  ``TooManyRows`` (``accounts.rules.import_size_errors``), and an XLSX file is not read past that row (nor past
  ``MAX_COLUMNS`` columns), so that a small compressed workbook cannot unfold into millions of cells.
* **CSV in the encodings people's spreadsheets write**: UTF-8 (with or without Excel's byte-order mark) and, for a
  file that is not UTF-8, GB 18030 (what Excel on a Chinese Windows saves); exports are UTF-8 with the mark, so
  that Excel opens them in either language.
* **No formulas travel in a cell.** Text that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is exported behind an apostrophe (``spreadsheet_text``), which an
  import takes off again (``text_of_cell``): a round trip gives the text back unchanged.
* Rows that are entirely empty are left out, as a person does not see them.
"""

from io import BytesIO

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.formats import base_formats

from .. import rules

#: Columns read from a row of an XLSX file; the product's files have about ten.
MAX_COLUMNS = 100

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


class TooManyRows(ValidationError):
    """The file has more rows than an import takes; nothing of it is imported."""


def import_row_limit():
    return settings.IMPORT_MAX_ROWS


def spreadsheet_text(text):
    """``text`` as a cell that no spreadsheet runs as a formula."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return FORMULA_GUARD + text
    return text


def text_of_cell(value):
    """The text a cell holds, stripped, without the apostrophe ``spreadsheet_text`` put before a formula;
    ``""`` for an empty cell. Numbers and dates of an XLSX cell come as their text."""
    if value is None:
        return ""
    text = str(value).strip()
    if text.startswith(FORMULA_GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _refuse_beyond_limit(rows):
    errors = rules.import_size_errors(rows=rows, limit=import_row_limit())
    if errors:
        raise TooManyRows(errors["import_file"])


def _is_empty(values):
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _dataset(headers, rows):
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for values in rows:
        values = list(values)[:width]
        dataset.append(values + [""] * (width - len(values)))
    return dataset


class CSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("gb18030")
        parsed = tablib.import_set(in_stream, format="csv")
        rows = [row for row in parsed if not _is_empty(row)]
        _refuse_beyond_limit(len(rows))
        return _dataset(list(parsed.headers or []), rows)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The first sheet's rows, read one by one and no further than the row limit allows."""
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            headers = list(next(rows, ()))
            limit = import_row_limit()
            kept = []
            for values in rows:
                if _is_empty(values):
                    continue
                kept.append(values)
                if len(kept) > limit:
                    _refuse_beyond_limit(len(kept))
            while headers and headers[-1] is None:
                headers.pop()
            return _dataset(["" if header is None else str(header) for header in headers], kept)
        finally:
            book.close()


#: The formats of every import and export of the admin, CSV first (the default choice).
FORMATS = (CSV, XLSX)
