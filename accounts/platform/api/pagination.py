"""The API's two paginations. Both take their page size from ``REST_FRAMEWORK["PAGE_SIZE"]`` (stated once)."""

from rest_framework.pagination import CursorPagination, PageNumberPagination

MAX_PAGE_SIZE = 500


class StandardPagination(PageNumberPagination):
    """``?page=2&page_size=100``: lists an ERP pages through and counts (stores, clients)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class HistoryPagination(CursorPagination):
    """``?cursor=...``: long histories (daily snapshots, alert transitions, chat messages), newest first.

    A cursor stays stable while rows are added and costs the same on the last page as on the first (no
    ``OFFSET``, no ``COUNT``). A view sets ``ordering`` to the history's time column if it is not
    ``created_at``; the ordering's first field should be indexed behind ``agency``.
    """

    ordering = ("-created_at", "-pk")
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
