"""One ``REDIS_URL``, three Redis databases: the broker's, the results' and the cache's.

The settings derive the three from ``REDIS_URL``'s database *n*: *n* for the Celery broker (the queued tasks),
*n* + 1 for the task results, *n* + 2 for the cache (throttling counters). Clearing the cache (``FLUSHDB``, which
is what ``cache.clear()`` does on Redis) then never drops a queued task.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

#: How far above REDIS_URL's database each client's database lies.
BROKER, RESULTS, CACHE = 0, 1, 2


def redis_database_url(url, offset):
    """``url`` pointing at the database ``offset`` above its own (none given is database 0).

    ``redis://h:6379/4`` with offset 2 is ``redis://h:6379/6``; for a Unix socket (``unix:///run/redis.sock?db=4``)
    the database is the ``db`` query parameter. Raises ``ImproperlyConfigured`` naming ``REDIS_URL`` when its
    database is not a number.
    """
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(_database_number(query.get("db", "0")) + offset)
        socket_path = url.partition("?")[0]  # not urlunsplit, which drops the empty host ("unix:///…")
        return f"{socket_path}?{urlencode(query)}"
    database = _database_number(parts.path.strip("/") or "0")
    return urlunsplit(parts._replace(path=f"/{database + offset}"))


def _database_number(text):
    if not text.isdigit():
        # The URL itself is not repeated: it may carry a password.
        raise ImproperlyConfigured("REDIS_URL must name its database by number, e.g. redis://host:6379/0")
    return int(text)
