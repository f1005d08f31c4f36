"""People of the agency: invitations, memberships and accounts."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.forms import AdminPasswordChangeForm as ThemeAdminPasswordChangeForm
from unfold.forms import UserChangeForm as ThemeUserChangeForm
from unfold.forms import UserCreationForm as ThemeUserCreationForm

from .. import rules, selectors, services
from ..models import Invitation, Membership, User
from ..platform.admin_site import (
    RowsOutsideQuerysetNotFound,
    TenantAdmin,
    ThemeModelAdmin,
    site,
)
from ..roles import Power
from ..tenancy import caller_of, owners_leaving_agencies
from .bulk import HandOverStoresAction
from .member_powers import MemberPowersAdmin
from .records import RevocableRecordAdmin


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


class MembershipAdmin(HandOverStoresAction, MemberPowersAdmin, TenantAdmin):
    write_power = Power.ADMINISTER
    list_display = ("user", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)

    # Deactivating and reactivating are the owner's actions (``member_powers``), recorded as such, not a field.
    fields = ("user", "role", "is_active")
    readonly_fields = ("user", "is_active")

    def has_module_permission(self, request):
        """The agency's people are the business of those who manage it; operators and viewers work on stores."""
        caller = caller_of(request)
        return caller.is_platform or caller.can(Power.MANAGE)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

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

@admin.register(User, site=site)
class UserAdmin(RowsOutsideQuerysetNotFound, DjangoUserAdmin, ThemeModelAdmin):
    """People: the platform manages them all; an agency sees its members and each person edits themselves."""

    form = ThemeUserChangeForm
    add_form = ThemeUserCreationForm
    change_password_form = ThemeAdminPasswordChangeForm
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
        caller = caller_of(request)
        if caller.agency is None or not caller.can(Power.MANAGE):
            # Operators and viewers see their own account here (their name, language), not the agency's people.
            return queryset.filter(pk=request.user.pk)
        return queryset.filter(pk__in=selectors.members(agency=caller.agency).values("pk"))

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
