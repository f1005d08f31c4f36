"""Redis down or frozen does not take the service down: the API answers (the throttle lets calls through and
says so in the log), sign-in works, and /healthz tells which part is unreachable, quickly; once Redis is back,
everything is as before.

Redis here is the test's own server (``tests/outages/conftest.py``), with the cache and the broker as the
production settings configure them for it.
"""

import logging
import time

import pytest
import redis
from django.test import Client as DjangoClient

STORES = "/api/v1/stores/"
THROTTLE_LOGGER = "accounts.platform.api.throttling"
# A guard, not a measurement: far above the clients' timeouts (0.5 s for the cache, 3 s for the broker), far
# below the freeze, so a call that waits for a frozen Redis to answer fails it.
FREEZE_SECONDS = 60
GUARD_SECONDS = 20


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


def throttle_warnings(caplog):
    return [record for record in caplog.records
            if record.name == THROTTLE_LOGGER and record.levelno == logging.WARNING]


def throttle_counters(production_redis):
    """The throttle's counters in production's cache database."""
    cache = redis.Redis.from_url(production_redis["CACHES"]["default"]["LOCATION"], socket_timeout=5)
    return [key for key in cache.keys("*") if b"throttle_" in key]


def healthz():
    return DjangoClient().get("/healthz")


def test_with_the_cache_down_api_calls_succeed_and_the_throttle_logs_that_it_let_them_through(
        agency_a, api_as, redis_server, production_redis, cache_on_redis, caplog):
    erp = api_as(agency_a.rw_header)
    assert erp.get(STORES).status_code == 200
    assert throttle_counters(production_redis)  # the throttle counts in Redis while it is up

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger=THROTTLE_LOGGER)
    during = [erp.get(STORES).status_code, api_as(agency_a.ro_header).get(STORES).status_code]

    assert during == [200, 200]
    assert throttle_warnings(caplog)
    assert "unreachable" in throttle_warnings(caplog)[0].getMessage()

    redis_server.start()
    assert erp.get(STORES).status_code == 200
    assert throttle_counters(production_redis)  # counting again


def test_with_the_cache_down_a_wrong_key_is_still_refused_as_such(agency_a, api_as, redis_server, cache_on_redis):
    redis_server.stop()

    response = api_as("Api-Key 000000000000.not-a-key").get(STORES)

    assert response.status_code == 401
    assert response.json()["detail"] == "The API key is malformed, unknown or revoked."


def test_signing_in_does_not_need_the_cache(agency_a, redis_server, cache_on_redis):
    """The lockout counts in the database (accounts.platform.signin), so Redis is not in the way of signing in."""
    redis_server.stop()
    client = DjangoClient()

    response = client.post("/admin/login/?next=/admin/",
                           {"username": agency_a.manager.email, "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agency_a.manager.pk)


def test_healthz_names_the_cache_and_the_broker_unreachable_while_redis_is_down_and_ok_once_it_is_back(
        db, redis_server, cache_on_redis, broker_on_redis):
    before = healthz()
    assert before.status_code == 200
    assert before.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}

    redis_server.stop()
    during, seconds = timed(healthz)

    assert during.status_code == 503
    assert during.json() == {"status": "degraded", "database": "ok", "cache": "unreachable", "broker": "unreachable"}
    assert seconds < GUARD_SECONDS

    redis_server.start()
    after = healthz()
    assert after.status_code == 200
    assert after.json()["cache"] == after.json()["broker"] == "ok"


def test_a_frozen_redis_holds_neither_an_api_call_nor_healthz_past_the_timeouts(
        agency_a, api_as, redis_server, cache_on_redis, broker_on_redis, caplog):
    erp = api_as(agency_a.rw_header)
    assert erp.get(STORES).status_code == 200
    caplog.set_level(logging.WARNING, logger=THROTTLE_LOGGER)

    redis_server.freeze(FREEZE_SECONDS)
    call, call_seconds = timed(erp.get, STORES)
    probe, probe_seconds = timed(healthz)

    assert call.status_code == 200
    assert call_seconds < GUARD_SECONDS
    assert throttle_warnings(caplog)
    assert probe.status_code == 503
    assert probe.json() == {"status": "degraded", "database": "ok", "cache": "unreachable", "broker": "unreachable"}
    assert probe_seconds < GUARD_SECONDS

    redis_server.restart()
    assert healthz().status_code == 200
    assert erp.get(STORES).status_code == 200


@pytest.mark.parametrize("method", ["get", "head"])
def test_healthz_answers_get_and_head_with_503_while_redis_is_down(db, redis_server, cache_on_redis,
                                                                  broker_on_redis, method):
    redis_server.stop()

    response = getattr(DjangoClient(), method)("/healthz")

    assert response.status_code == 503
    if method == "head":
        assert response.content == b""
