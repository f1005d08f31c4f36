"""The health tests read messages in English unless a test asks for another language (the product's default,
outside any request, is Chinese); each request still speaks its caller's language."""

import pytest
from django.utils import translation

from tests.browser import chromium  # noqa: F401  (the browser journeys' fixture)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
