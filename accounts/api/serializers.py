from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import marketplaces
from ..models import Client, Store, User


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name", "legal_name", "contact_name", "contact_email", "contact_phone", "notes",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness per agency is checked by the model against the caller's agency, not here.
        validators = []


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
    """A reference to an object of the caller's agency; another agency's id reads as 'does not exist'."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        agency = getattr(request, "agency", None) if request is not None else None
        if agency is None:
            return self.model.objects.none()
        return self.model.objects.filter(agency=agency)


class AgencyMemberField(serializers.SlugRelatedField):
    """A person of the caller's agency, by email address."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", queryset=User.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        agency = getattr(request, "agency", None) if request is not None else None
        if agency is None:
            return User.objects.none()
        return User.objects.filter(memberships__agency=agency)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().lower()
        return super().to_internal_value(data)


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
