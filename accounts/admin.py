from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import extensions, rules, selectors, services
from .models import Agency, ApiKey, Client, Invitation, Membership, PlatformAccess, Store, StoreAssignment, User
from .platform.admin_site import (
    ReadOnlyAdminMixin,
    RowsOutsideQuerysetNotFound,
    TenantAdmin,
    TenantInline,
    register_audit_trail,
    site,
)
from .platform.ids import object_id_or_none
from .roles import Power
from .tenancy import caller_of, owners_leaving_agencies


class SuperuserOnlyMixin(RowsOutsideQuerysetNotFound):
    """The platform's own records: no agency's staff see them, and to them every row's page is a 404."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self.has_module_permission(request) else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Agency, site=site)
class AgencyAdmin(TenantAdmin):
    """Owners edit their agency's settings; only the platform creates or removes agencies."""

    write_power = Power.ADMINISTER
    exclude = ()
    list_display = ("name", "slug", "time_zone", "default_language", "is_active")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        queryset = Agency.objects.all()
        caller = caller_of(request)
        if caller.agency is not None:
            return queryset.filter(pk=caller.agency.pk)
        return queryset if caller.is_platform else queryset.none()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += ["slug", "is_active"]
        return fields

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and caller_of(request).agency is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        # An agency is its own tenant: no agency to preset on it.
        return super(TenantAdmin, self).get_form(request, obj, change=change, **kwargs)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return super(TenantAdmin, self).get_history_queryset(request, history_manager, pk_name, object_id)


class InvitationForm(forms.ModelForm):
    """Invite by email address: whether the address has an account, and anything about it, is never shown."""

    class Meta:
        model = Invitation
        fields = ("email", "role")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.instance.agency_id:
            errors = rules.member_errors(email=email, is_member=selectors.is_member(agency=self.instance.agency,
                                                                                   email=email))
            if errors:
                raise forms.ValidationError(errors["email"])
        return email


class RevocableRecordAdmin(TenantAdmin):
    """Records that only those who administer the agency see (API keys, invitations): created, then revoked
    with the ``revoke`` action, never edited nor deleted (their audit trail keeps what happened)."""

    write_power = Power.ADMINISTER

    def has_module_permission(self, request):
        caller = caller_of(request)
        return caller.is_platform or caller.can(Power.ADMINISTER)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._can_write(request):
            actions.pop("revoke", None)
        return actions


@admin.register(Invitation, site=site)
class InvitationAdmin(RevocableRecordAdmin):
    """Owners invite people by email address; the link goes to that address by email. The agency sees the
    address it typed and the invitation's state, nothing of the person, until they accept."""

    form = InvitationForm
    list_display = ("email", "role", "state_label", "invited_by", "created_at", "expires_at")
    list_filter = ("role",)
    search_fields = ("email",)
    list_select_related = ("invited_by",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("email", "role")
        return ("email", "role", "state_label", "invited_by", "created_at", "expires_at", "accepted_at",
                "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)


    @admin.display(description=_("state"))
    def state_label(self, obj):
        return INVITATION_STATES[obj.state]

    def save_model(self, request, obj, form, change):
        invitation = services.invitation_create(
            agency=caller_of(request).agency, email=obj.email, role=obj.role, invited_by=request.user,
            link_for=lambda token: request.build_absolute_uri(reverse("invitation", args=[token])))
        form.instance = invitation
        obj.pk = invitation.pk
        self.message_user(
            request,
            gettext("An invitation was emailed to %(email)s: its link works once, until %(until)s.")
            % {"email": invitation.email,
               "until": date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")},
            messages.SUCCESS,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A mail server that refuses the invitation's email: nothing is kept (the add view's transaction rolls
        back), and the owner reads why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(agency=caller_of(request).agency, invitation=invitation)
        self.message_user(request, gettext("The selected invitations were revoked."), messages.SUCCESS)


INVITATION_STATES = {"pending": _("pending"), "accepted": _("accepted"), "revoked": _("revoked"),
                     "expired": _("expired")}


class MembershipAdmin(TenantAdmin):
    write_power = Power.ADMINISTER
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)

    fields = ("user", "role")
    readonly_fields = ("user",)

    def add_view(self, request, form_url="", extra_context=None):
        """People join by invitation: adding a member is inviting them."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:accounts_invitation_add"))

    def get_deleted_objects(self, objs, request):
        """Removing the agency's last owner is refused the way Django refuses protected rows: the confirmation
        page says why, and nothing is deleted (one membership or a selection alike)."""
        deleted, counts, permissions_needed, protected = super().get_deleted_objects(objs, request)
        errors = selectors.membership_removal_errors(agency=caller_of(request).agency, memberships=list(objs))
        return deleted, counts, permissions_needed, [*protected, *errors.get("role", [])]

    def delete_model(self, request, obj):
        services.members_remove(agency=caller_of(request).agency, memberships=[obj])

    def delete_queryset(self, request, queryset):
        services.members_remove(agency=caller_of(request).agency, memberships=list(queryset))

    def save_model(self, request, obj, form, change):
        services.member_change_role(agency=caller_of(request).agency, membership=obj, role=obj.role)


site.register(Membership, MembershipAdmin)


@admin.register(Client, site=site)
class ClientAdmin(TenantAdmin):
    list_display = ("name", "legal_name", "contact_name", "contact_email", "store_count")
    search_fields = ("name", "legal_name", "contact_name", "contact_email")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            store_total=selectors.visible_store_count(caller=caller_of(request)))

    @admin.display(description=_("stores"), ordering="store_total")
    def store_count(self, obj):
        return obj.store_total

    def delete_model(self, request, obj):
        services.client_delete(agency=caller_of(request).agency, client=obj)


class StoreAssignmentInline(TenantInline):
    model = StoreAssignment
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = _("assigned operator")
    verbose_name_plural = _("assigned operators")


class OperatorFilter(admin.SimpleListFilter):
    title = _("operator")
    parameter_name = "operator"

    def lookups(self, request, model_admin):
        users = selectors.members(agency=caller_of(request).agency).order_by("email")
        return [("none", _("No operator"))] + [(str(u.pk), str(u)) for u in users]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(assignments__isnull=True)
        if value and object_id_or_none(value) is not None:
            return queryset.filter(assignments__user_id=object_id_or_none(value)).distinct()
        return queryset


class ClientFilter(admin.SimpleListFilter):
    title = _("client")
    parameter_name = "client"

    def lookups(self, request, model_admin):
        clients = TenantAdmin.agency_rows(request, Client.objects.order_by("name"))
        return [(str(client.pk), client.name) for client in clients]

    def queryset(self, request, queryset):
        value = self.value()
        if value and object_id_or_none(value) is not None:
            return queryset.filter(client_id=object_id_or_none(value))
        return queryset


@admin.register(Store, site=site)
class StoreAdmin(TenantAdmin):
    list_display = ("name", "marketplace", "seller_id", "client", "status", "selling_plan", "brand_registered",
                    "operator_list", "registered_on")
    list_filter = ("marketplace", ClientFilter, "status", OperatorFilter, "selling_plan", "brand_registered")
    search_fields = ("name", "seller_id", "client__name")
    list_select_related = ("client",)
    readonly_fields = ("amazon_marketplace_id", "created_at", "updated_at")
    inlines = [StoreAssignmentInline]
    fieldsets = (
        (None, {"fields": ("name", "client", "status")}),
        (_("Seller account"), {"fields": ("marketplace", "amazon_marketplace_id", "seller_id", "registered_on",
                                          "selling_plan", "brand_registered")}),
        (_("Notes"), {"fields": ("notes", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("operators")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The store's page, with the panels other apps contribute (``accounts.extensions.store_panels``)."""
        store = self.get_object(request, unquote(object_id))
        panels = []
        if store is not None:
            panels = [(panel.title, panel.render(request=request, store=store))
                      for panel in extensions.store_panels.contributions()]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "store_panels": panels})

    @admin.display(description=_("operators"))
    def operator_list(self, obj):
        return ", ".join(str(user) for user in obj.operators.all()) or "—"

    @admin.display(description=_("Amazon marketplace id"))
    def amazon_marketplace_id(self, obj):
        return obj.amazon_marketplace_id or "—"


@admin.register(StoreAssignment, site=site)
class StoreAssignmentAdmin(TenantAdmin):
    list_display = ("store", "user", "created_at")
    list_select_related = ("store", "user")
    search_fields = ("store__name", "user__email")

    def related_choices(self, request, model):
        if model is User:
            return selectors.assignable_people(agency=caller_of(request).agency)
        return super().related_choices(request, model)


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


@admin.register(User, site=site)
class UserAdmin(RowsOutsideQuerysetNotFound, DjangoUserAdmin):
    """People: the platform manages them all; an agency sees its members and each person edits themselves."""

    ordering = ("email",)
    list_display = ("email", "full_name", "language", "is_active", "last_login")
    search_fields = ("email", "full_name")
    list_filter = ("is_active",)
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Status"), {"fields": ("is_active", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        agency = caller_of(request).agency
        if agency is None:
            return queryset.filter(pk=request.user.pk)
        return queryset.filter(pk__in=selectors.members(agency=agency).values("pk"))

    def get_deleted_objects(self, objs, request):
        """People who are all the owners of an agency are not deleted (one person or a selection alike): the
        agency would be left without an owner."""
        deleted, counts, permissions_needed, protected = super().get_deleted_objects(objs, request)
        for agency, owners, owners_leaving in owners_leaving_agencies(list(objs)):
            errors = rules.removal_errors(owners=owners, owners_leaving=owners_leaving)
            protected += [f"{agency}: {message}" for message in errors.get("role", [])]
        return deleted, counts, permissions_needed, protected

    def user_change_password(self, request, id, form_url=""):
        """Setting a password without the current one is for a platform superuser, on someone else's account:
        a person's own password changes on the normal page, which asks for the current one (a stolen session
        must not be enough to take the account over)."""
        self._raise_404_unless_visible(request, id)
        person = self.get_object(request, unquote(id))
        if person is None:
            raise Http404
        if person.pk == request.user.pk:
            return HttpResponseRedirect(reverse(f"{self.admin_site.name}:password_change"))
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return ((None, {"fields": ("email",)}), (_("Profile"), {"fields": ("full_name", "language")}))
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return ("email",)

    def has_module_permission(self, request):
        return request.user.is_superuser or caller_of(request).is_member

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (obj is not None and obj.pk == request.user.pk)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(PlatformAccess, site=site)
class PlatformAccessAdmin(SuperuserOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "method", "path")
    list_filter = ("method",)
    search_fields = ("user__email", "path")
    date_hierarchy = "at"


for _model, _admin in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin),
                       (AccessFailureLog, AccessFailureLogAdmin)):
    site.register(_model, type(_admin.__name__, (SuperuserOnlyMixin, _admin), {}))

for _model in (Agency, Membership, Invitation, Client, Store, StoreAssignment, ApiKey):
    register_audit_trail(_model)
