"""DRF's usual error bodies, also for Django's ValidationError raised by services (a 400 naming the fields) and
for a request body past the limits (``accounts.platform.request_limits``): 413, or 400 for too many fields."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def validation_error_detail(error):
    if hasattr(error, "message_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(_("The request body is larger than %(limit)d bytes.")
                              % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(_("The request has more than %(limit)d fields.")
                                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    elif isinstance(exc, TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has more than %(limit)d files.")
                                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
    return drf_exception_handler(exc, context)
