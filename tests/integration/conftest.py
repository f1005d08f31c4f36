"""Real services for the integration tests: a Celery worker process on Redis, reading the test database.

``celery_worker`` (session) starts ``celery -A config worker --pool=solo`` once, against the broker and result
backend of the product's settings (``REDIS_URL``) and against pytest-django's test database (PostgreSQL, or the
SQLite file ``config.settings.test`` uses when ``DATABASE_URL`` is unset); it is ready when it answers a ping
addressed to it by name. The worker consumes a queue of its own, so that neither another test run on the same
Redis nor a message left over from an earlier run can take or feed it. It is stopped (and waited for) before
the test database is dropped.

``live_celery`` (per test) is what a test asks for: it needs the worker and ``transactional_db`` (so the
worker sees the rows the test commits) and, for the test's duration only, makes ``.delay()`` in this process
send to the worker instead of running eagerly as the rest of the suite does::

    def test_something(live_celery):
        result = some_task.delay(agency_id=agency.pk)
        assert result.get(timeout=live_celery.timeout) == ...

``start_mail_worker`` (per test) is for the alert emails: ``start_mail_worker(mailbox)`` starts a worker of the test's
own (``Worker``, the test database, a queue of its own) whose mail goes to a real SMTP server on loopback (aiosmtpd)
answering with ``mailbox`` (``tests.alerts.test_emails_smtp.Mailbox``: given 4xx or 5xx answers, the first DATA
commands get them). The session's worker cannot serve: the test settings keep its mail in its memory, and the tasks it
queues itself (the digest of each agency due) go to Celery's default queue, which no worker of the test run consumes;
a mail worker's go to its own queue. ``mail_worker`` is one started with a mailbox that takes everything. Both start
their worker with ``launch_mail_worker``, the one way of starting a worker whose mail goes to a test's SMTP server.

``workers_of_this_test(live_celery, folder, mailbox)`` is for the tests that kill a worker in the middle of a task: mail
workers (prefork, one pool process, as in production) on a queue of the test's own, started one at a time (the first
to be killed, the next to take over, with a short broker visibility timeout when asked), their mail sent to one SMTP
server for them all; with the broker's view of a message (``unacknowledged``, ``delivered_at``) and of the queue
(``WorkersOfThisTest.drained``), and the task runs each worker received (``WorkersOfThisTest.received``).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connections

from config.celery_app import app as celery_app
from tests.alerts.test_emails_smtp import Mailbox, smtp_server

BASE_DIR = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
READY_TIMEOUT = 60  # seconds for the worker to import Django, connect to Redis and answer a ping
STOP_TIMEOUT = 15  # seconds for a warm shutdown before the worker is killed
RESULT_TIMEOUT = 30  # seconds a test waits for one task's result
DEADLINE = 45  # seconds a condition a test waits for (``wait_until``) may take to come true

#: A mail worker's entry point: the test settings, with the mail sent to the test's SMTP server and the tasks the
#: worker queues itself (the email after an evaluation, the digest of each agency due) sent to its own queue.
MAIL_WORKER_LAUNCHER = """
import os, sys
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["ALERT_EMAILS_SMTP_PORT"])
settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
from config.celery_app import app
app.conf.task_default_queue = os.environ["ALERT_EMAILS_QUEUE"]
app.worker_main(["worker", *sys.argv[1:]])
"""


def wait_until(condition, what, deadline=DEADLINE):
    """Poll ``condition`` until it returns something true (returned), or fail after ``deadline`` seconds."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"not within {deadline} s: {what}", pytrace=False)


def text_and_html(message):
    """The text and the HTML part of an email the SMTP server took (an ``email.message.Message``), decoded."""
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


def _broker_and_backend():
    """Redis URLs of the broker and the result backend, as the product's settings read them (``REDIS_URL``).

    Read from Django's settings rather than from the Celery app's configuration, which a test that points the
    app at another broker for a moment may leave changed.
    """
    broker = settings.CELERY_BROKER_URL
    if not broker or not broker.startswith(("redis://", "rediss://")):
        message = ("the integration tests need a real Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/5); "
                   "`make test` deselects them when it is unset")
        # Never a silent skip: run them with REDIS_URL, or deselect them (-m "not integration") on purpose.
        pytest.fail(message, pytrace=False)
    return broker, settings.CELERY_RESULT_BACKEND or broker


def _database_url_of_test_database():
    """A ``DATABASE_URL`` naming the test database this process uses (after pytest-django created it)."""
    db = connections["default"].settings_dict
    vendor = connections["default"].vendor
    if vendor == "postgresql":
        # The run's own DATABASE_URL (credentials, host or socket, options) with the test database's name.
        url = urlsplit(os.environ["DATABASE_URL"])
        return urlunsplit(url._replace(path="/" + quote(db["NAME"], safe="")))
    if vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail("the SQLite test database is in memory, where a worker process cannot see it: "
                        "config.settings.test must give it a file name (DATABASES TEST NAME)", pytrace=False)
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the integration tests on PostgreSQL: set DATABASE_URL", pytrace=False)
        return f"sqlite:///{Path(name).resolve()}"
    pytest.fail(f"no worker set-up for the {vendor} database", pytrace=False)


@dataclass
class Worker:
    process: subprocess.Popen
    broker: str
    backend: str
    nodename: str
    queue: str
    log_path: Path
    timeout: float = RESULT_TIMEOUT

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines=60):
        return "\n".join(self.log().splitlines()[-lines:])

    def answers_ping(self):
        replies = celery_app.control.ping(destination=[self.nodename], timeout=0.5)
        return any(self.nodename in reply for reply in replies)

    def wait_until_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {self.process.returncode} before it was ready:\n"
                            f"{self.log_tail()}", pytrace=False)
            if self.answers_ping():  # ping itself waits up to 0.5 s for the answer
                return
        self.stop()
        pytest.fail(f"the Celery worker did not answer a ping within {READY_TIMEOUT} s:\n{self.log_tail()}",
                    pytrace=False)

    def delete_queue(self):
        """Remove the worker's own queue (and its binding) from Redis; the run is over."""
        try:
            with celery_app.connection_for_write() as connection:
                # Declared first: a channel only unbinds the bindings it knows of.
                queue = celery_app.amqp.queues[self.queue].bind(connection.default_channel)
                queue.declare()
                queue.delete()
        except Exception:  # noqa: BLE001 - tidying up must not turn a passing session into an error
            pass

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand, then exit
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory):
    """A real Celery worker process on Redis and the test database, for the whole session."""
    broker, backend = _broker_and_backend()
    database_url = _database_url_of_test_database()

    run = uuid.uuid4().hex[:10]
    nodename = f"integration-{run}@{socket.gethostname()}"
    queue = f"storehealth-integration-{run}"
    log_path = Path(tmp_path_factory.mktemp("celery-worker")) / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": backend,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [str(CELERY), "-A", "config", "worker", "--pool=solo", "--loglevel=INFO", "-n", nodename,
               "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    worker = Worker(process=process, broker=broker, backend=backend, nodename=nodename, queue=queue,
                    log_path=log_path)
    try:
        with celery_sending_to(worker):
            worker.wait_until_ready()
        yield worker
    finally:
        worker.stop()
        with celery_sending_to(worker):
            worker.delete_queue()


def _forget_broker_pools():
    """The app picks its connection and producer pools for the configured broker once, on first use: make it
    pick them again whenever the broker changes, or it keeps sending to the previous one. (kombu keeps the
    pools themselves, one per broker URL, so nothing is closed here.)"""
    celery_app._after_fork()  # resets the app's references to both pools; it is what a forked child needs too


@contextmanager
def celery_sending_to(worker):
    """This process's Celery app sends to ``worker`` (its broker, backend and queue) instead of running eagerly."""
    conf = celery_app.conf
    live = {"task_always_eager": False, "task_default_queue": worker.queue,
            "broker_url": worker.broker, "result_backend": worker.backend}
    saved = {key: conf[key] for key in live}
    _forget_broker_pools()
    conf.update(live)
    try:
        backend_url = getattr(celery_app.backend, "url", None)
        if backend_url != worker.backend:
            pytest.fail(f"this process's Celery result backend was built for {backend_url!r}, not for "
                        f"{worker.backend!r}", pytrace=False)
        yield worker
    finally:
        conf.update(saved)
        _forget_broker_pools()


@pytest.fixture
def live_celery(celery_worker, transactional_db):
    """Send tasks from this test to the real worker (not eagerly); everything else in the suite stays eager."""
    if celery_worker.process.poll() is not None:
        pytest.fail(f"the Celery worker has exited:\n{celery_worker.log_tail()}", pytrace=False)
    with celery_sending_to(celery_worker):
        yield celery_worker


@dataclass
class MailWorker:
    """A worker of one test and the mailbox of the SMTP server its mail goes to."""

    worker: Worker
    mailbox: Mailbox


def launch_mail_worker(live_celery, *, smtp_port, queue, nodename, log_path, pool=("--pool=solo",), env=None):
    """Start, and not wait for, a worker process through ``MAIL_WORKER_LAUNCHER``: the test database, the broker and
    result backend of ``live_celery``, its mail to the SMTP server on loopback at ``smtp_port``, consuming ``queue``
    and queueing its own tasks there; ``pool``: its pool's options, ``env``: variables of its own (e.g. a
    ``REDIS_BROKER_VISIBILITY_TIMEOUT``). Returns the ``Worker``; its caller waits until it is ready and stops it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": _database_url_of_test_database(), "CELERY_BROKER_URL": live_celery.broker,
           "CELERY_RESULT_BACKEND": live_celery.backend, "CELERY_TASK_ALWAYS_EAGER": "false",
           "PYTHONUNBUFFERED": "1", "ALERT_EMAILS_SMTP_PORT": str(smtp_port), "ALERT_EMAILS_QUEUE": queue,
           **(env or {})}
    command = [sys.executable, "-c", MAIL_WORKER_LAUNCHER, *pool, "--loglevel=INFO", "-n", nodename, "-Q", queue,
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    return Worker(process=process, broker=live_celery.broker, backend=live_celery.backend, nodename=nodename,
                  queue=queue, log_path=log_path)


@contextmanager
def mail_worker_running(live_celery, mailbox, log_path):
    """A worker whose mail goes to an SMTP server on loopback answering with ``mailbox``, and this process's tasks sent
    to its queue; yields a ``MailWorker``, stopped (and its queue removed) on exit."""
    with smtp_server(mailbox) as port:
        run = uuid.uuid4().hex[:10]
        worker = launch_mail_worker(live_celery, smtp_port=port, queue=f"storehealth-alert-emails-{run}",
                                    nodename=f"alert-emails-{run}@localhost", log_path=log_path)
        with celery_sending_to(worker):
            try:
                worker.wait_until_ready()
                yield MailWorker(worker=worker, mailbox=mailbox)
            finally:
                worker.stop()
                worker.delete_queue()


@pytest.fixture
def start_mail_worker(live_celery, tmp_path):
    """``start_mail_worker(mailbox)``: a worker of this test whose mail goes to an SMTP server on loopback answering
    with ``mailbox`` (see the module); returns a ``MailWorker``, stopped at the end of the test."""
    with ExitStack() as running:
        def start(mailbox):
            log_path = tmp_path / f"alert-emails-worker-{uuid.uuid4().hex[:6]}.log"
            return running.enter_context(mail_worker_running(live_celery, mailbox, log_path))

        yield start


@pytest.fixture
def mail_worker(start_mail_worker):
    """A worker of this test whose mail goes to an SMTP server on loopback that takes every email."""
    return start_mail_worker(Mailbox())


# -- workers a test kills ------------------------------------------------------------------------------------------
#: The visibility timeout of the workers of a test that kills a whole worker: how long the broker keeps a message a
#: dead worker took before it hands it out again (production: an hour, REDIS_BROKER_VISIBILITY_TIMEOUT).
SHORT_VISIBILITY_TIMEOUT = 2


class WorkersOfThisTest:
    """Mail workers of one test (``launch_mail_worker``) on a queue of its own (the session's worker stays out of it),
    started one at a time, each a prefork worker with one pool process as in production: with a solo worker even an
    early acknowledgement reaches Redis only once the task returns, so a kill could not tell ``acks_late`` from its
    absence. Their mail goes to the test's SMTP server, answering with ``mailbox``."""

    def __init__(self, live_celery, folder, *, mailbox, smtp_port):
        self.live_celery, self.folder, self.mailbox, self.smtp_port = live_celery, folder, mailbox, smtp_port
        self.queue = f"storehealth-kill-{uuid.uuid4().hex[:10]}"
        self.started = []

    def start(self, *, visibility_timeout=None):
        """A worker with one pool process, ready to take tasks; ``visibility_timeout`` overrides the production one
        (an hour)."""
        nodename = f"kill-{uuid.uuid4().hex[:10]}@{socket.gethostname()}"
        env = {} if visibility_timeout is None else {"REDIS_BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout)}
        worker = launch_mail_worker(self.live_celery, smtp_port=self.smtp_port, queue=self.queue, nodename=nodename,
                                    log_path=self.folder / f"worker-{len(self.started)}.log",
                                    pool=("--pool=prefork", "--concurrency=1"), env=env)
        self.started.append(worker)
        # Ready once it says so in its log: the test holds the task it takes at once, and does not wait for a ping.
        wait_until(lambda: worker.process.poll() is not None or f"{nodename} ready." in worker.log(),
                   f"the worker started:\n{worker.log_tail()}")
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.log_tail()}", pytrace=False)
        return worker

    def received(self, task):
        """The ids of the runs of ``task`` that this test's workers received, in the order of their logs: a message
        handed out again after its worker died is received again, under the same id."""
        pattern = re.compile(rf"Task {re.escape(task.name)}\[([0-9a-f-]+)\] received")
        return [found for worker in self.started for found in pattern.findall(worker.log())]

    def drained(self, broker):
        """Whether no message of this test's queue waits in it, or is taken and not yet acknowledged (kombu's Redis
        ``unacked`` hash, whose entries name their routing key, the queue)."""
        return broker.llen(self.queue) == 0 and not any(
            self.queue.encode() in payload for payload in broker.hvals("unacked"))


@contextmanager
def workers_of_this_test(live_celery, folder, mailbox=None):
    """``WorkersOfThisTest`` whose mail goes to an SMTP server on loopback answering with ``mailbox`` (by default one
    that takes everything). Inside the block this process sends its tasks to the test's own queue; its workers are
    stopped (a killed one is already), the queue removed and the SMTP server stopped at the end."""
    mailbox = Mailbox() if mailbox is None else mailbox
    with smtp_server(mailbox) as port:
        workers = WorkersOfThisTest(live_celery, folder, mailbox=mailbox, smtp_port=port)
        target = SimpleNamespace(broker=live_celery.broker, backend=live_celery.backend, queue=workers.queue)
        try:
            with celery_sending_to(target):
                yield workers
        finally:
            for worker in workers.started:
                worker.stop()
            if workers.started:
                with celery_sending_to(target):
                    workers.started[-1].delete_queue()


def _unacknowledged_message(broker, task_id):
    """The tag of the broker's unacknowledged message of ``task_id`` (kombu's Redis ``unacked`` hash), or ``None``."""
    for tag, payload in broker.hgetall("unacked").items():
        if task_id.encode() in payload:
            return tag
    return None


def unacknowledged(broker, task_id):
    return _unacknowledged_message(broker, task_id) is not None


def delivered_at(broker, task_id):
    """When the broker delivered the unacknowledged message of ``task_id`` (a Unix time)."""
    return broker.zscore("unacked_index", _unacknowledged_message(broker, task_id))
