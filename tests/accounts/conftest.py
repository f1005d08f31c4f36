from tests.browser import chromium  # noqa: F401  (the browser journeys' page)
