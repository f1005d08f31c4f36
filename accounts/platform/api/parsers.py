"""The API's JSON parser. Its body is bounded before it is parsed, like every request's
(``accounts.platform.request_limits``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class LimitedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting bounded by the decoder's recursion limit: a body nested deeper (say
    10,000 ``[`` in a row) is a 400, not a ``RecursionError``."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from None
