"""The API's OpenAPI description: besides its success response, every operation documents the errors it may
answer with, so that an ERP (and the schema-driven tests) can rely on their status codes and bodies.

An operation's description is its view's docstring, written for developers in reStructuredText; the schema
gives it as plain text (``plain_text``), so that ``status`` reads as status in Swagger UI and in an ERP's
generated client, not as markup.
"""

import inspect
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.views import APIView

#: reStructuredText's inline markup, each with what it reads as in plain text, applied in this order.
_INLINE_MARKUP = [
    (re.compile(r"^\.\. [\w:-]+::[^\n]*\n?", re.MULTILINE), ""),                       # .. note::
    (re.compile(r":[\w.:+-]+:`([^`<]*?)\s*<[^`>]*>`"), r"\1"),                           # :ref:`title <target>`
    (re.compile(r":[\w.:+-]+:`~(?:[^`]*\.)?([^`.]+)`"), r"\1"),                         # :class:`~a.b.Name`
    (re.compile(r":[\w.:+-]+:`([^`]*)`"), r"\1"),                                      # :role:`text`
    (re.compile(r"``(.+?)``", re.DOTALL), r"\1"),                                      # ``literal``
    (re.compile(r"`([^`<]*?)\s*<[^`>]*>`_{1,2}"), r"\1"),                              # `title <url>`_
    (re.compile(r"`([^`]+)`_{0,2}"), r"\1"),                                           # `interpreted`, `ref`_
    (re.compile(r"\*\*(\S(?:.*?\S)?)\*\*"), r"\1"),                                      # **strong**
    (re.compile(r"(?<![\w*\\])\*(\S(?:[^*]*?\S)?)\*(?![\w*])"), r"\1"),                    # *emphasis*
    (re.compile(r"(?<![\w|])\|(\w(?:[^|]*\w)?)\|(?![\w|])"), r"\1"),                      # |substitution|
    (re.compile(r"\s+::(?=\s|$)"), ""),                                                # "text ::" (a literal block)
    (re.compile(r"::(?=\s|$)"), ":"),                                                   # "text::"
    (re.compile(r"\\([\\`*_|:])"), r"\1"),                                              # \* (an escaped character)
]
#: A line that stays a line of its own when a paragraph's lines are joined: a list item or an indented line.
_LINE_OF_ITS_OWN = re.compile(r"^(\s+|[*+\-•] |\d+[.)] |#\. )")


def plain_text(text):
    """``text`` (reStructuredText) as plain text: inline markup removed, each paragraph on one line (list items
    and indented lines, such as an example, keep their lines), paragraphs separated by a blank line."""
    for pattern, replacement in _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.splitlines()
        if any(_LINE_OF_ITS_OWN.match(line) for line in lines):
            paragraphs.append("\n".join(line.rstrip() for line in lines))
        else:
            paragraphs.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _describes_an_endpoint(cls):
    """Whether ``cls``'s docstrings say what an endpoint does: a view of the product's. A mixin's (``TenantViewMixin``)
    tell developers how to build views, and DRF's are DRF's."""
    return issubclass(cls, APIView) and cls.__module__.split(".")[0] not in ("rest_framework", "drf_spectacular")


def endpoint_docstring(view_class, method_name):
    """The docstring that describes an operation: of the view's method ``method_name`` (its action or handler),
    else of the view; the first one found along the view's classes that describe an endpoint."""
    for cls in view_class.__mro__:
        method = vars(cls).get(method_name)
        if method is not None and method.__doc__ and _describes_an_endpoint(cls):
            return inspect.cleandoc(method.__doc__)
    for cls in view_class.__mro__:
        if cls.__doc__ and _describes_an_endpoint(cls):
            return inspect.cleandoc(cls.__doc__)
    return ""


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
    """drf-spectacular's schema of a view, plus the error responses of DRF and of this product, with its
    description in plain text."""

    def get_description(self):
        """The docstring of the view's action (``list``, ``partial_update``) or handler (``get``), else of the
        view, as plain text."""
        method_name = getattr(self.view, "action", None) or self.method.lower()
        return plain_text(endpoint_docstring(type(self.view), method_name))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return responses

    def _field_errors(self):
        schema = {**FIELD_ERRORS, "description": plain_text(str(FIELD_ERRORS["description"]))}
        component = ResolvedComponent(name="FieldErrors", type=ResolvedComponent.SCHEMA, object="FieldErrors",
                                      schema=schema)
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
