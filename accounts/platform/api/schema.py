"""The API's OpenAPI description: besides its success response, every operation documents the errors it may
answer with, so that an ERP (and the schema-driven tests) can rely on their status codes and bodies."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """DRF's body of an error that is not about fields: one message."""

    detail = serializers.CharField()


FIELD_ERRORS = {
    "type": "object",
    "description": _("Each field in error with its messages; ``non_field_errors`` for the object as a whole; "
                     "``detail`` when the request could not be read at all."),
    "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
}


class AgencyAutoSchema(AutoSchema):
    """drf-spectacular's schema of a view, plus the error responses of DRF and of this product."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return responses

    def _field_errors(self):
        component = ResolvedComponent(name="FieldErrors", type=ResolvedComponent.SCHEMA, object="FieldErrors",
                                      schema=FIELD_ERRORS)
        self.registry.register_on_missing(component)
        return component.ref

    def _error_responses(self):
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_path_parameters = "{" in self.path
        is_paginated_list = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        errors = {
            401: OpenApiResponse(ErrorSerializer, _("No API key, or one that is malformed, unknown or revoked.")),
            403: OpenApiResponse(ErrorSerializer, _("The key or person may not do this.")),
            429: OpenApiResponse(ErrorSerializer, _("Too many requests: wait the seconds the Retry-After header "
                                                    "gives.")),
        }
        if has_body or is_paginated_list or self.method == "DELETE":
            errors[400] = OpenApiResponse(self._field_errors(), _("The request was refused; the body says why, "
                                                                  "field by field."))
        if has_path_parameters or is_paginated_list:
            errors[404] = OpenApiResponse(ErrorSerializer, _("No such object (or page) for this agency."))
        if has_body:
            errors[413] = OpenApiResponse(ErrorSerializer, _("The request body is too large."))
            errors[415] = OpenApiResponse(ErrorSerializer, _("The request body's media type is not supported."))
        return dict(sorted(errors.items()))


class BoundedListFieldExtension(OpenApiSerializerFieldExtension):
    """A list field that takes a bounded number of entries (``max_length``) documents the bound for requests;
    answers list what there is."""

    target_class = "accounts.platform.api.fields.AgencyMemberListField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["maxItems"] = self.target.max_length
        return schema
