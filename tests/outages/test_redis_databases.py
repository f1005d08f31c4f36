"""The broker, the results and the cache each have a Redis database of their own, derived from REDIS_URL, so
that clearing the cache never drops a queued task."""

import pytest
import redis
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts.tasks import agency_portfolio_summary
from config.redis_databases import redis_database_url

QUEUE = "outage-tests"


@pytest.mark.parametrize(("url", "offset", "derived"), [
    ("redis://cache.internal:6379/4", 2, "redis://cache.internal:6379/6"),
    ("redis://cache.internal:6379/4", 0, "redis://cache.internal:6379/4"),
    ("redis://cache.internal:6379", 1, "redis://cache.internal:6379/1"),
    ("redis://cache.internal:6379/", 2, "redis://cache.internal:6379/2"),
    ("rediss://:s3cret@cache.internal:6380/1?ssl_cert_reqs=required", 2,
     "rediss://:s3cret@cache.internal:6380/3?ssl_cert_reqs=required"),
    ("unix:///run/redis/redis.sock?db=4", 1, "unix:///run/redis/redis.sock?db=5"),
    ("unix:///run/redis/redis.sock", 2, "unix:///run/redis/redis.sock?db=2"),
])
def test_a_database_is_derived_from_redis_urls_own(url, offset, derived):
    assert redis_database_url(url, offset) == derived


def test_a_redis_url_whose_database_is_not_a_number_is_refused_without_repeating_it():
    with pytest.raises(ImproperlyConfigured) as refused:
        redis_database_url("redis://:s3cret@cache.internal:6379/cache", 2)
    assert "REDIS_URL" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_production_gives_the_broker_the_results_and_the_cache_databases_of_their_own(production_redis,
                                                                                       redis_server):
    # REDIS_URL names database 0 of the test's server.
    assert production_redis["CELERY_BROKER_URL"] == redis_server.url(0)
    assert production_redis["CELERY_RESULT_BACKEND"] == redis_server.url(1)
    assert production_redis["CACHES"]["default"]["LOCATION"] == redis_server.url(2)


def test_every_redis_client_of_production_gives_up_within_seconds(production_redis):
    cache_options = production_redis["CACHES"]["default"]["OPTIONS"]
    broker_options = production_redis["CELERY_BROKER_TRANSPORT_OPTIONS"]
    for options in (cache_options, broker_options):
        assert 0 < options["socket_connect_timeout"] <= 5
        assert 0 < options["socket_timeout"] <= 5


def test_clearing_the_cache_keeps_the_queued_tasks(agency_a, redis_server, production_redis, cache_on_redis,
                                                   broker_on_redis):
    agency_portfolio_summary.apply_async(kwargs={"agency_id": agency_a.agency.pk}, queue=QUEUE)
    broker = redis.Redis.from_url(production_redis["CELERY_BROKER_URL"], socket_timeout=5)
    assert broker.llen(QUEUE) == 1
    cache.set("something", "cached")

    cache.clear()

    assert cache.get("something") is None
    assert broker.llen(QUEUE) == 1
