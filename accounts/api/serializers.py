from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from .. import rules
from ..models import Client, Store
from ..platform.api.fields import AgencyMemberField, AgencyRelatedField, MarketplaceField, OptionalEmailField
from ..tenancy import caller_of


class ClientSerializer(serializers.ModelSerializer):
    contact_email = OptionalEmailField(max_length=254, allow_blank=True, required=False,
                                       label=_("contact email"))

    class Meta:
        model = Client
        fields = ["id", "name", "legal_name", "contact_name", "contact_email", "contact_phone", "notes",
                  "report_language", "created_at", "updated_at"]
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
        id) and the fields the caller may not change (``rules.store_fields_writable``: an operator changes the
        notes and status only), so that a caller fixes every problem in one go.

        When the fields are valid the rules are left to the service, which checks them before it writes.
        """
        refused = self._refused_changes(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(data, Mapping) or not isinstance(exc.detail, Mapping):
                raise
            rule_errors = self._rule_errors(data, failed=set(exc.detail))
            if not rule_errors and not refused:
                raise
            raise serializers.ValidationError({**rule_errors, **exc.detail, **refused}) from exc
        if refused:
            raise serializers.ValidationError(refused)
        return values

    def _refused_changes(self, data):
        """``rules.store_change_errors`` of the caller for the fields ``data`` would change of the store.

        A field sent with the value the store has (a PUT of what a GET gave, notes edited) is no change; one
        sent with a value that is not valid cannot be the store's, so it is one."""
        if self.instance is None or not isinstance(data, Mapping):
            return {}
        powers = caller_of(self.context.get("request")).powers
        sent = {name: field for name, field in self.fields.items() if not field.read_only and name in data}
        writable = rules.store_fields_writable(powers=powers, fields=sent)
        changed = [name for name, field in sent.items() if name not in writable and self._changes(field, data)]
        return rules.store_change_errors(powers=powers, changed=changed)

    def _changes(self, field, data):
        try:
            value = field.run_validation(field.get_value(data))
        except serializers.ValidationError:
            return True
        except SkipField:
            return False
        current = getattr(self.instance, field.source)
        if isinstance(field, serializers.ManyRelatedField):
            return set(value) != set(current.all())
        return value != current

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
