"""Benchmark of appeal documents' files through the API: upload and download of a 2 MiB and a 20 MiB file.

    python bench/documents.py                       # SQLite and a private folder in a temporary directory
    DATABASE_URL=postgres://... python bench/documents.py

It builds an agency with its own data generator, writes two PDFs (a PDF header, random bytes, an end-of-file
marker: what libmagic sniffs as a PDF, and incompressible) and their multipart request bodies to disk, then:

1. uploads each through ``POST /api/v1/documents/`` with a read-write API key and downloads it through
   ``GET /api/v1/documents/{id}/download/`` (the local storage: the file is streamed, and the bench consumes the
   stream), ``ROUNDS`` times, and prints the median throughput;
2. does the same once more under ``tracemalloc`` and prints the peak of Python's allocations during each upload
   and download, and the growth of the process's peak resident set (Linux: ``VmHWM``, reset before each request
   through ``/proc/self/clear_refs``), with the 20 MiB / 2 MiB ratio: near 1 (or below) means memory does not grow
   with the file size.

The requests go through Django's WSGI handler in this process, with the body read from a file as a server would
give it (``wsgi.input``), so that neither the bench nor a test client holds a body in memory. Django keeps an
uploaded file up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) in memory and spools a larger one to a temporary file,
so the 2 MiB upload is, if anything, the one that holds its file in memory.
"""

import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from wsgiref.util import setup_testing_defaults

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="bench-documents-"))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
os.environ["DJANGO_MEDIA_ROOT"] = str(WORK / "media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scope  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import Store  # noqa: E402
from bench.generate import build_agency  # noqa: E402
from documents import storage  # noqa: E402

MIB = 2**20
SIZES = (2 * MIB, 20 * MIB)
ROUNDS = 3
UPLOAD_URL = "/api/v1/documents/"
CHUNK = MIB
CLEAR_REFS = Path("/proc/self/clear_refs")
STATUS = Path("/proc/self/status")


def write_pdf_body(path, *, size, fields, boundary):
    """Write to ``path`` a multipart body of ``fields`` and a ``size``-byte PDF named ``scan.pdf``, without holding
    the file in memory; returns the body's length."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    with open(path, "wb") as body:
        for name, value in fields:
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
                   f"Content-Type: application/pdf\r\n\r\n".encode())
        body.write(head)
        left = size - len(head) - len(tail)
        while left:
            chunk = os.urandom(min(CHUNK, left))
            body.write(chunk)
            left -= len(chunk)
        body.write(tail)
        body.write(f"\r\n--{boundary}--\r\n".encode())
    return path.stat().st_size


def rss_kib(field):
    """``VmHWM`` (the peak resident set) or ``VmRSS`` of this process in KiB; ``None`` off Linux."""
    if not STATUS.exists():
        return None
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def reset_peak_rss():
    """Reset ``VmHWM`` to the current resident set (Linux); whether it could."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


class Call:
    """One request through the WSGI handler, measured: seconds, bytes of the answer, its status and (when asked)
    the peak of Python's allocations above where they were, and the growth of the peak resident set."""

    def __init__(self, handler, header):
        self.handler = handler
        self.header = header

    def __call__(self, method, path, *, body_path=None, content_type="", keep=False, traced=False):
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
                   "HTTP_HOST": "testserver", "HTTP_AUTHORIZATION": self.header, "HTTP_ACCEPT_LANGUAGE": "en"}
        body = open(body_path, "rb") if body_path else io.BytesIO(b"")  # noqa: SIM115 - closed below
        environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(os.fstat(body.fileno()).st_size if body_path else 0),
                        "CONTENT_TYPE": content_type})
        setup_testing_defaults(environ)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = int(status.split()[0])

        if traced:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
        rss_reset = reset_peak_rss()
        rss_before = rss_kib("VmRSS")
        started = time.perf_counter()
        response = self.handler(environ, start_response)
        received, kept = 0, []
        try:
            for chunk in response:
                received += len(chunk)
                if keep:
                    kept.append(chunk)
        finally:
            response.close()
            body.close()
        seconds = time.perf_counter() - started
        result = {"seconds": seconds, "bytes": received, "status": answer["status"],
                  "content": b"".join(kept) if keep else b"",
                  "rss_growth": (rss_kib("VmHWM") - rss_before) * 1024 if rss_reset and rss_before else None}
        if traced:
            result["peak"] = tracemalloc.get_traced_memory()[1] - before
        return result


def upload_and_download(call, body_path, *, boundary, size, traced=False):
    """Upload one prepared body, then download the document's file; both measured. Returns (upload, download)."""
    upload = call("POST", UPLOAD_URL, body_path=body_path, content_type=f"multipart/form-data; boundary={boundary}",
                  keep=True, traced=traced)
    assert upload["status"] == 201, (upload["status"], upload["content"][:500])
    document = json.loads(upload["content"])
    download = call("GET", f"/api/v1/documents/{document['id']}/download/", traced=traced)
    assert download["status"] == 200 and download["bytes"] == size, (download["status"], download["bytes"])
    return upload, download


def megabytes(value):
    return "n/a" if value is None else f"{value / MIB:,.2f}"


def main():
    call_command("migrate", verbosity=0)
    assert storage.is_local(storage.documents_storage()), "the bench measures the local storage"
    assert max(SIZES) <= settings.DOCUMENTS_MAX_UPLOAD_BYTES, "raise DOCUMENTS_MAX_UPLOAD_BYTES for this bench"
    slug = f"bench-documents-{int(time.time())}"
    bench = build_agency(slug, 5)
    agency = bench.agency
    with scope(agency=agency):
        _key, raw = account_services.api_key_create(agency=agency, name="bench writer", access="read_write")
        store = Store.objects.filter(agency=agency).order_by("pk").first()
    call = Call(WSGIHandler(), f"Api-Key {raw}")
    fields = [("client", store.client_id), ("stores", store.pk), ("type_code", "evidence_screenshot"),
              ("title", "Bench scan")]

    # Every upload gets bytes of its own (the same bytes again would only be flagged a duplicate, but a bench
    # should not lean on that); the bodies are written before any clock starts.
    bodies = {}
    for size in SIZES:
        for round_number in range(ROUNDS + 1):
            boundary = uuid.uuid4().hex
            path = WORK / f"body-{size}-{round_number}.bin"
            write_pdf_body(path, size=size, fields=fields, boundary=boundary)
            bodies.setdefault(size, []).append((path, boundary))

    # Warm up (imports, first queries, libmagic's database) on a small file.
    warm = WORK / "warm.bin"
    warm_boundary = uuid.uuid4().hex
    write_pdf_body(warm, size=64 * 1024, fields=fields, boundary=warm_boundary)
    upload_and_download(call, warm, boundary=warm_boundary, size=64 * 1024)

    timings = {}
    for size in SIZES:
        ups, downs, rss_up, rss_down = [], [], [], []
        for path, boundary in bodies[size][:ROUNDS]:
            upload, download = upload_and_download(call, path, boundary=boundary, size=size)
            ups.append(upload["seconds"])
            downs.append(download["seconds"])
            rss_up.append(upload["rss_growth"])
            rss_down.append(download["rss_growth"])
        timings[size] = {"up": statistics.median(ups), "down": statistics.median(downs),
                         "rss_up": None if None in rss_up else max(rss_up),
                         "rss_down": None if None in rss_down else max(rss_down)}

    tracemalloc.start()
    for size in SIZES:
        path, boundary = bodies[size][ROUNDS]
        upload, download = upload_and_download(call, path, boundary=boundary, size=size, traced=True)
        timings[size]["peak_up"], timings[size]["peak_down"] = upload["peak"], download["peak"]
    tracemalloc.stop()

    print(f"database: {django.db.connection.vendor}; storage: local folder {settings.MEDIA_ROOT}; "
          f"median of {ROUNDS} rounds; memory in MiB")
    print(f"{'file':>8}{'upload MiB/s':>14}{'download MiB/s':>16}{'upload peak':>13}{'download peak':>15}"
          f"{'upload RSS+':>13}{'download RSS+':>15}")
    for size in SIZES:
        row = timings[size]
        print(f"{size // MIB:>5} MiB{size / MIB / row['up']:>14,.1f}{size / MIB / row['down']:>16,.1f}"
              f"{megabytes(row['peak_up']):>13}{megabytes(row['peak_down']):>15}"
              f"{megabytes(row['rss_up']):>13}{megabytes(row['rss_down']):>15}")
    small, large = (timings[size] for size in SIZES)
    sizes = f"{SIZES[1] // MIB} MiB over {SIZES[0] // MIB} MiB"
    print(f"peak memory, {sizes} (tracemalloc): "
          f"upload {large['peak_up'] / small['peak_up']:.2f}x, download {large['peak_down'] / small['peak_down']:.2f}x "
          f"(the file is {SIZES[1] // SIZES[0]}x larger; near 1 or below: memory does not grow with the file)")
    if small["rss_up"] is not None and small["rss_down"] is not None:
        print(f"resident set growth, {sizes}: upload {megabytes(large['rss_up'])} vs "
              f"{megabytes(small['rss_up'])} MiB, download {megabytes(large['rss_down'])} vs "
              f"{megabytes(small['rss_down'])} MiB")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
