"""API keys of the agency's ERP and other systems."""

from django.contrib import admin, messages
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import ApiKey
from ..platform.admin_site import (
    site,
)
from ..tenancy import caller_of
from .records import RevocableRecordAdmin


class ApiKeyCreateForm(admin.options.forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "access")


@admin.register(ApiKey, site=site)
class ApiKeyAdmin(RevocableRecordAdmin):
    """Keys are created here (the key is shown once, in a message) and revoked; a key is never edited."""

    list_display = ("name", "prefix", "access", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("access",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "access")
        return ("name", "access", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "access", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")


    def save_model(self, request, obj, form, change):
        if change:
            raise Http404
        api_key, raw = services.api_key_create(agency=caller_of(request).agency, name=obj.name, access=obj.access,
                                               created_by=request.user)
        form.instance = api_key
        obj.pk = api_key.pk
        self.message_user(
            request,
            format_html(gettext("The new API key is <code>{}</code>. Copy it now: it will not be shown again."),
                        raw),
            messages.WARNING,
        )


    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(agency=caller_of(request).agency, api_key=api_key)
        self.message_user(request, gettext("The selected API keys were revoked."), messages.SUCCESS)
