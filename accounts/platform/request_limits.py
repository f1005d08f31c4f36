"""Limits every request meets before a view reads it, whatever its route or content type.

* **The body's size.** ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds the whole body: JSON, form-encoded and multipart
  alike (Django bounds only the form fields it parses itself, and DRF's form parsers not even those). A body
  that declares a larger ``Content-Length`` is refused at its first read, before a byte of it is read; one that
  declares less, or nothing (chunked), is refused as soon as it has given more than the limit. The refusal is
  Django's ``RequestDataTooBig``: the API answers it with 413 and a JSON body
  (``accounts.platform.api.exceptions``), the admin with Django's 400. A view that takes files (an appeal document's
  upload) widens its own limit: an API view class, or a ``ModelAdmin`` for its admin pages, with a
  ``request_body_limit`` (bytes, or a callable that returns them); the body is bounded by it instead, from before
  its first byte is read.
* **NUL characters in query parameters.** No parameter of the product takes one, and PostgreSQL refuses them in
  text: a NUL in a parameter's name or value is a 400 naming the parameter (the API's field-error body on the
  API), before any view, filter or paginator reads it.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseBadRequest, JsonResponse
from rest_framework.views import APIView


def declared_length(request):
    """The body's length as its ``Content-Length`` header declares it (0 when absent or unreadable)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class BoundedBody:
    """A request body's stream that gives at most ``limit`` bytes: asked for more, it raises
    ``RequestDataTooBig`` instead. A body declared larger than the limit is refused at the first read, unread."""

    def __init__(self, stream, *, limit, declared):
        self._stream = stream
        self._limit = limit
        self._declared = declared
        self._given = 0

    def _room(self, size):
        if self._declared > self._limit:
            raise RequestDataTooBig("The request body's Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE.")
        # One byte past the limit is enough to tell a body that is too large.
        room = self._limit + 1 - self._given
        return room if size is None or size < 0 else min(size, room)

    def _counted(self, chunk):
        self._given += len(chunk)
        if self._given > self._limit:
            raise RequestDataTooBig("The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        return chunk

    @property
    def limit(self):
        return self._limit

    def widen(self, limit):
        """Bound the body by ``limit`` instead (a view that takes files); only before any of it was read."""
        if self._given == 0 and limit > self._limit:
            self._limit = limit

    def read(self, size=-1, /):
        return self._counted(self._stream.read(self._room(size)))

    def readline(self, size=-1, /):
        return self._counted(self._stream.readline(self._room(size)))

    def close(self):
        self._stream.close()


def parameters_with_nul(query):
    """The names of the query parameters (a ``QueryDict``) whose name or any value holds a NUL character."""
    return [name for name, values in query.lists() if "\x00" in name or any("\x00" in value for value in values)]


def body_limit_of(view_func):
    """The ``request_body_limit`` a view declares (its API view class's, or its ``ModelAdmin``'s); ``None``."""
    owner = getattr(view_func, "cls", None) or getattr(view_func, "model_admin", None)
    limit = getattr(owner, "request_body_limit", None)
    return limit() if callable(limit) else limit


def is_api_view(view_func):
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class RequestLimitsMiddleware:
    """Bounds every request's body (``BoundedBody``) and refuses NUL characters in its query parameters.

    It sits before every middleware that may read the body (the CSRF check reads form fields).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            # Django reads the body through this attribute (``HttpRequest.read``), and so do DRF's parsers.
            request._stream = BoundedBody(request._stream, limit=limit, declared=declared_length(request))
            request.body_limit = limit  # what a refusal names (accounts.platform.api.exceptions)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        wider = body_limit_of(view_func)
        if wider is not None and isinstance(request._stream, BoundedBody):
            request._stream.widen(wider)
            request.body_limit = request._stream.limit
        try:
            names = parameters_with_nul(request.GET)
        except TooManyFieldsSent:
            return None  # refused where the view reads the parameters (a 400 as well)
        if not names:
            return None
        message = str(ProhibitNullCharactersValidator.message)
        if is_api_view(view_func):
            return JsonResponse({name: [message] for name in names}, status=400)
        lines = [f"{printable(name)}: {message}" for name in names]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def printable(name):
    return name.replace("\x00", "\\x00")
