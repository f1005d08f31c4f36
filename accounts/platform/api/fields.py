"""Serializer fields every app's API uses: references to the caller's rows, people, marketplaces, emails."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import marketplaces
from ...selectors import members, visible_rows
from ...tenancy import caller_of


@extend_schema_field({"anyOf": [{"type": "string", "format": "email", "maxLength": 254},
                               {"type": "string", "maxLength": 0}]})
class OptionalEmailField(serializers.EmailField):
    """An email address, or empty: the schema says both, so that a blank one is not read as a broken address."""


@extend_schema_field({"type": "string", "enum": [*marketplaces.BY_CODE, "GB", *marketplaces.BY_AMAZON_ID]})
class MarketplaceField(serializers.CharField):
    """A marketplace code (``US``) or Amazon marketplace id (``ATVPDKIKX0DER``), stored as the code."""

    default_error_messages = {"unknown": _("“{value}” is not an Amazon marketplace this product knows.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Marketplace code: %(codes)s.") % {"codes": ", ".join(marketplaces.BY_CODE)})
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        found = marketplaces.marketplace(value)
        if found is None:
            self.fail("unknown", value=value)
        return found.code


class AgencyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a row the caller may see: of the caller's agency, and of the caller's stores for a model
    that hangs off a store. Any other id reads as "does not exist", on this field."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        caller = caller_of(self.context.get("request"))
        if caller.agency is None:
            return self.model.objects.none()
        return visible_rows(self.model.objects.filter(agency=caller.agency), caller=caller)


class AgencyMemberField(serializers.SlugRelatedField):
    """A person of the caller's agency, by email address."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", queryset=members(agency=None), **kwargs)  # no one until a request

    def get_queryset(self):
        return members(agency=caller_of(self.context.get("request")).agency)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().lower()
        # What cannot be an email address (a NUL character, 300 characters) is refused before any query.
        serializers.EmailField(max_length=254).run_validation(data)
        return super().to_internal_value(data)
