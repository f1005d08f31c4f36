"""DRF's usual error bodies, also for Django's ValidationError raised by services (a 400 naming the fields) and
for a request body past the limits (``accounts.platform.request_limits``): 413, or 400 for too many fields.

Every 404 of the API says the same, in the caller's language: ``{"detail": "Not found."}``. It never names the
model (Django's "No Store matches the given query." would tell what the address points at), whether the id is
another agency's, exists nowhere, is not a number, or the address matches no route at all.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

#: Addresses under this prefix are the API's: an address that matches no route is answered in JSON there.
API_PATH_PREFIX = "/api/"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def validation_error_detail(error):
    if hasattr(error, "message_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        request = getattr(context.get("request"), "_request", None)
        limit = getattr(request, "body_limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        exc = RequestTooLarge(_("The request body is larger than %(limit)d bytes.") % {"limit": limit})
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(_("The request has more than %(limit)d fields.")
                                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    elif isinstance(exc, TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has more than %(limit)d files.")
                                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
    return drf_exception_handler(exc, context)


class ApiNotFoundMiddleware:
    """An API address that matches no route answers the API's JSON 404 also when Django would show its debug page
    listing every route (``DEBUG``, as under ``make run``), where ``handler404`` is not called."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == status.HTTP_404_NOT_FOUND and request.path_info.startswith(API_PATH_PREFIX)
                and not response.get("Content-Type", "").startswith("application/json")):
            return page_not_found(request, None)
        return response


def page_not_found(request, exception):
    """Django's 404 for an address that matches no route (``handler404``): the API's JSON body under
    ``API_PATH_PREFIX`` (``/api/v1/stores/1.5/``), Django's page elsewhere."""
    if request.path_info.startswith(API_PATH_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
