from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from ..models import Client, Store
from ..platform.api.fields import AgencyMemberField, AgencyRelatedField, MarketplaceField, OptionalEmailField
from ..tenancy import caller_of


class ClientSerializer(serializers.ModelSerializer):
    contact_email = OptionalEmailField(max_length=254, allow_blank=True, required=False,
                                       label=_("contact email"))

    class Meta:
        model = Client
        fields = ["id", "name", "legal_name", "contact_name", "contact_email", "contact_phone", "notes",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness per agency is checked by the model against the caller's agency, not here.
        validators = []


class StoreSerializer(serializers.ModelSerializer):
    client = AgencyRelatedField(Client)
    marketplace = MarketplaceField()
    amazon_marketplace_id = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    marketplace_time_zone = serializers.CharField(read_only=True)
    operators = AgencyMemberField(many=True, required=False,
                                  help_text=_("Email addresses of the operators responsible for the store."))

    class Meta:
        model = Store
        fields = ["id", "name", "client", "marketplace", "amazon_marketplace_id", "region",
                  "marketplace_time_zone", "seller_id", "registered_on", "selling_plan", "brand_registered",
                  "status", "operators", "notes", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []

    # The fields the store's own rules (``accounts.rules.store_errors``) judge, with the attribute each sets.
    RULE_FIELDS = {"marketplace": "marketplace", "seller_id": "seller_id", "registered_on": "registered_on"}

    def to_internal_value(self, data):
        """Field errors come back together with the store's own rules (future registration date, taken seller
        id), so that a caller fixes every problem in one go instead of meeting the rules after the fields.

        When the fields are valid the rules are left to the service, which checks them before it writes.
        """
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(data, Mapping) or not isinstance(exc.detail, Mapping):
                raise
            rule_errors = self._rule_errors(data, failed=set(exc.detail))
            if not rule_errors:
                raise
            raise serializers.ValidationError({**rule_errors, **exc.detail}) from exc

    def _rule_errors(self, data, failed):
        """The rules' errors for the valid values sent (and the stored ones of the fields not sent)."""
        agency = caller_of(self.context.get("request")).agency
        if agency is None:
            return {}
        store = Store(pk=getattr(self.instance, "pk", None), agency=agency)
        for name, attname in self.RULE_FIELDS.items():
            if self.instance is not None:
                setattr(store, attname, getattr(self.instance, attname))
            if name in failed:
                # A value that is itself wrong says nothing about the rules: leave it out of them.
                setattr(store, attname, Store._meta.get_field(name).get_default())
                continue
            field = self.fields[name]
            try:
                setattr(store, name, field.run_validation(field.get_value(data)))
            except (serializers.ValidationError, SkipField):
                continue
        return store.rule_errors()
