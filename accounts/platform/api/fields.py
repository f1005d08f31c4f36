"""Serializer fields every app's API uses: references to the caller's rows, people, marketplaces, emails."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from ... import marketplaces
from ...selectors import members, visible_rows
from ...tenancy import caller_of
from ..ids import MAX_ID, object_id_or_none

#: The most people one list field takes (``operators``): a longer list is refused before any lookup.
MAX_PEOPLE_PER_LIST = 50


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


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class AgencyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a row the caller may see: of the caller's agency, and of the caller's stores for a model
    that hangs off a store. Any other id reads as "does not exist", on this field.

    An id is a whole number (or its digits as text) in the range of the database's ids: ``1.9`` is not read as
    1, and ``1e400`` or ``true`` are refused on the field, before any query."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = object_id_or_none(data)
        if pk is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(pk)

    def get_queryset(self):
        caller = caller_of(self.context.get("request"))
        if caller.agency is None:
            return self.model.objects.none()
        return visible_rows(self.model.objects.filter(agency=caller.agency), caller=caller)


class AgencyMemberField(serializers.SlugRelatedField):
    """A person of the caller's agency, by email address. With ``many=True``: ``AgencyMemberListField``."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", queryset=members(agency=None), **kwargs)  # no one until a request

    @classmethod
    def many_init(cls, *args, **kwargs):
        max_length = kwargs.pop("max_length", MAX_PEOPLE_PER_LIST)
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return AgencyMemberListField(child_relation=cls(*args, **kwargs), max_length=max_length, **list_kwargs)

    def get_queryset(self):
        return members(agency=caller_of(self.context.get("request")).agency)

    @staticmethod
    def email_of(data):
        """``data`` as an email address to look up (trimmed, lower case); what cannot be one (a NUL character,
        300 characters, a number) is refused, before any query."""
        if isinstance(data, str):
            data = data.strip().lower()
        return serializers.EmailField(max_length=254).run_validation(data)

    def to_internal_value(self, data):
        return super().to_internal_value(self.email_of(data))


class AgencyMemberListField(serializers.ManyRelatedField):
    """People of the caller's agency by email address: at most ``max_length`` entries (the schema of requests
    says so), repeats dropped, and all of them looked up in one query; every address that is not a member is
    named."""

    default_error_messages = {"max_length": serializers.ListField.default_error_messages["max_length"]}

    def __init__(self, *, max_length=MAX_PEOPLE_PER_LIST, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        emails = list(dict.fromkeys(self.child_relation.email_of(item) for item in data))
        found = {person.email: person for person in self.child_relation.get_queryset().filter(email__in=emails)}
        missing = [email for email in emails if email not in found]
        if missing:
            message = self.child_relation.error_messages["does_not_exist"]
            raise serializers.ValidationError([message.format(slug_name="email", value=email) for email in missing],
                                              code="does_not_exist")
        return [found[email] for email in emails]
