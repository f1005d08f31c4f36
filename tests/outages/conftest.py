"""A Redis server of the test's own, to stop, freeze and bring back; the product pointed at it as production is.

``redis_server`` starts ``redis-server`` (the binary on PATH) on a free loopback port, in a temporary folder,
with nothing saved to disk; the test may ``stop()`` it, ``freeze()`` it (``CLIENT PAUSE``: it accepts
connections and answers nothing) and ``start()`` it again on the same port. It is stopped after the test. The
machine's Redis (``REDIS_URL``) is never touched, so these tests need no ``REDIS_URL`` and run in every
``make test``.

``production_redis`` reads, in a subprocess, the settings ``config.settings.production`` derives from
``REDIS_URL`` pointing at that server: its cache, its broker with their timeouts. ``cache_on_redis`` and
``broker_on_redis`` then point this process's Django cache and Celery app at them for the test's duration.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from config.celery_app import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
READY_TIMEOUT = 10  # seconds for redis-server to answer a PING once started
STOP_TIMEOUT = 10


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisServer:
    directory: Path
    port: int
    process: subprocess.Popen | None = None

    def url(self, database=0):
        return f"redis://127.0.0.1:{self.port}/{database}"

    def client(self, database=0):
        return redis.Redis(host="127.0.0.1", port=self.port, db=database, socket_timeout=READY_TIMEOUT,
                           socket_connect_timeout=READY_TIMEOUT)

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("the outage tests start their own Redis: install redis-server (Debian: redis-server)",
                        pytrace=False)
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited with {self.process.returncode}:\n{self.log()}", pytrace=False)
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)  # not listening yet
        self.stop()
        pytest.fail(f"redis-server did not answer within {READY_TIMEOUT} s:\n{self.log()}", pytrace=False)

    def stop(self):
        """Stop the server (a paused one too) and wait until it has exited: its port refuses connections."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def restart(self):
        self.stop()
        self.start()

    def freeze(self, seconds):
        """Answer no command of any client (new connections included) for ``seconds``; connections are still
        accepted. ``restart()`` ends it early."""
        self.client().execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")

    def log(self):
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(directory=tmp_path, port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


#: Variables that would override what production derives from REDIS_URL.
_DERIVED = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_CACHE_URL", "REDIS_CACHE_SOCKET_TIMEOUT",
            "REDIS_BROKER_SOCKET_TIMEOUT", "CELERY_TASK_ALWAYS_EAGER")


def production_settings(redis_url, names):
    """``{name: value}`` of the production settings computed for ``REDIS_URL=redis_url`` (in a subprocess,
    since settings are computed once per process)."""
    env = {key: value for key, value in os.environ.items() if key not in _DERIVED}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "outage-tests-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "ops.example.com",
        "DATABASE_URL": "postgres://app:secret@db.internal:5432/storehealth",
        "REDIS_URL": redis_url,
    })
    code = ("import json, sys; from django.conf import settings; "
            "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}))")
    result = subprocess.run([sys.executable, "-c", code, *names], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production_redis(redis_server):
    """The production settings for ``REDIS_URL`` = the test's server, database 0."""
    return production_settings(redis_server.url(0), ["CACHES", "CELERY_BROKER_URL",
                                                     "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_RESULT_BACKEND"])


@pytest.fixture
def cache_on_redis(production_redis):
    """Django's cache is production's, on the test's server (override_settings resets the cache handlers)."""
    with override_settings(CACHES=production_redis["CACHES"]):
        yield


def _forget_broker_pools():
    """The app picks its connection and producer pools for the configured broker once: make it pick them again
    (as tests/integration/conftest.py does when it points the app at its worker)."""
    celery_app._after_fork()


@pytest.fixture
def broker_on_redis(production_redis):
    """This process's Celery app queues to production's broker on the test's server (not eagerly)."""
    conf = celery_app.conf
    live = {"task_always_eager": False, "broker_url": production_redis["CELERY_BROKER_URL"],
            "broker_transport_options": production_redis["CELERY_BROKER_TRANSPORT_OPTIONS"]}
    saved = {key: conf[key] for key in live}
    _forget_broker_pools()
    conf.update(live)
    try:
        yield
    finally:
        conf.update(saved)
        _forget_broker_pools()
