"""The schema describes every endpoint in plain text: the views' docstrings are reStructuredText written for
developers, and none of their markup (````literal````, ``:role:`x```, ``*emphasis*``, ``::``) reaches the
OpenAPI document, nor does a platform base class's docstring about building views."""

import re

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from accounts.platform.api.schema import plain_text

#: What reStructuredText markup looks like in a text, by what it is.
MARKUP = {
    "backticks": re.compile(r"`"),
    "role": re.compile(r":[\w.:+-]+:"),
    "emphasis or strong": re.compile(r"(?<![\w*])\*+\S[^*]*\*+(?![\w*])"),
    "literal block or directive": re.compile(r"::"),
    "substitution": re.compile(r"\|\w[^|]*\|"),
    "escape": re.compile(r"\\[`*_|:\\]"),
}


def markup_in(text):
    return sorted(kind for kind, pattern in MARKUP.items() if pattern.search(text))


@pytest.mark.parametrize(("rst", "plain"), [
    ("Set ``status`` to\n``closed`` instead.", "Set status to closed instead."),
    ("See :class:`~accounts.models.Store` and :func:`accounts.rules.store_errors`.",
     "See Store and accounts.rules.store_errors."),
    ("Read :ref:`the rules <store-rules>` first.", "Read the rules first."),
    ("This is *really* **important**.", "This is really important."),
    ("Its `interpreted text` and a `link <https://example.com>`_.", "Its interpreted text and a link."),
    ("For example::\n\n    GET /api/v1/stores/", "For example:\n\n    GET /api/v1/stores/"),
    ("Paragraph ::\n\n    code", "Paragraph\n\n    code"),
    (".. note:: internal\n\nThe body.", "The body."),
    ("Rates of 2 * 3 and *n*+1 stay, \\*escaped\\* too.", "Rates of 2 * 3 and n+1 stay, *escaped* too."),
    ("Each:\n\n* one ``a``\n* two", "Each:\n\n* one a\n* two"),
])
def test_restructured_text_reads_as_plain_text(rst, plain):
    assert plain_text(rst) == plain


def operations(language):
    with translation.override(language):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(f"{method.upper()} {path}", operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_operation_is_described_in_plain_text(db, language):
    described = operations(language)
    assert len(described) >= 10
    for where, operation in described:
        description = operation.get("description", "")
        assert description, f"{where} has no description"
        assert not markup_in(description), f"{where}: {markup_in(description)} in {description!r}"
        # The platform's base classes describe how to build a view, not an endpoint.
        assert "get_rows" not in description and "TenantViewMixin" not in description, where


def test_the_store_endpoints_say_what_their_docstring_says_without_the_markup(db):
    described = dict(operations("en"))
    assert described["PATCH /api/v1/stores/{id}/"]["description"].startswith(
        "The agency's seller accounts. Stores are not deleted (their history matters): set status to closed instead.")
