"""The shape of every admin list's query-count test ("10 versus 100"): a page read with few rows and with many must
cost the same number of queries, and stay under a ceiling."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

#: The most queries an admin list page may cost, whatever its rows.
MAX_QUERIES = 30
#: The store's page is the one page every app adds a panel to (health, alerts, Seller Support, documents): its budget
#: is its own, still the same for 10 rows as for 100.
STORE_PAGE_MAX_QUERIES = 40


def queries_of(page):
    """``(queries, html)`` of a second read of ``page`` (a callable answering a response): the first request's writes
    (a session's refresh) are behind it."""
    page()
    with CaptureQueriesContext(connection) as captured:
        answer = page()
    assert answer.status_code == 200, answer.content[:500]
    return len(captured), answer.content.decode()


def compare(page, grow, django_assert_max_num_queries, *, marker, max_queries=MAX_QUERIES):
    """The page's queries with 10 rows and with 100 (``grow(n)`` adds ``n``), and how often ``marker`` shows."""
    grow(10)
    few, few_page = queries_of(page)
    grow(90)
    many, many_page = queries_of(page)
    assert few == many, f"{few} queries for 10, {many} for 100"
    with django_assert_max_num_queries(max_queries):
        page()
    return few_page.count(marker), many_page.count(marker)
