"""The agency-scoped admin site and the base class of every tenant model's admin.

Everything a person sees in ``/admin/`` belongs to their active agency: lists are filtered by it, foreign-key
choices are limited to it, new rows get it, and an id of another agency's object is a 404. Platform
superusers may look across agencies; a banner says so and every such page view is recorded.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .tenancy import memberships_of, switch_agency
from .tenancy import request_tenant as _tenant


class AgencyLoginForm(AdminAuthenticationForm):
    """Staff of any agency may sign in (not only Django's is_staff); a person of no agency may not."""

    def confirm_login_allowed(self, user):
        if not user.is_active or not (user.is_superuser or memberships_of(user)):
            raise forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class AgencyAdminSite(admin.AdminSite):
    site_header = _("Store health back-office")
    site_title = _("Store health back-office")
    index_title = _("Overview")
    login_form = AgencyLoginForm

    def has_permission(self, request):
        user = request.user
        if not user.is_active or not user.is_authenticated:
            return False
        tenant = getattr(request, "tenant", None)
        return user.is_superuser or bool(tenant and tenant.is_member)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        context["tenant"] = tenant
        if tenant is not None and tenant.user is not None:
            context["switchable_agencies"] = self._switchable_agencies(request, tenant)
        return context

    @staticmethod
    def _switchable_agencies(request, tenant):
        from .models import Agency

        if tenant.user.is_superuser:
            return list(Agency.objects.filter(is_active=True).order_by("name"))
        return [m.agency for m in tenant.memberships]

    def get_urls(self):
        urls = [
            path("switch-agency/", self.admin_view(self.switch_agency_view), name="switch_agency"),
            *super().get_urls(),
        ]
        # Django's "view on site" shortcut looks rows up without the agency: only rows this person can
        # see in the admin may pass through it.
        for number, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[number] = path("r/<int:content_type_id>/<path:object_id>/",
                                    self.admin_view(self.view_on_site_view), name="view_on_site")
        return urls

    def view_on_site_view(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut
        from django.core.exceptions import ValidationError

        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model_admin = self._registry.get(content_type.model_class()) if content_type else None
        if model_admin is None:
            raise Http404
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            raise Http404
        return shortcut(request, content_type_id, object_id)

    @staticmethod
    def root_redirect(request):
        return HttpResponseRedirect(reverse("admin:index"))

    def switch_agency_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        raw = request.POST.get("agency", "")
        agency_id = int(raw) if raw.isdigit() else None
        if raw and agency_id is None or not switch_agency(user=request.user, agency_id=agency_id):
            # Same answer for an agency that does not exist and one the person is not in.
            raise Http404
        messages.success(request, gettext("You are now working in another agency."))
        return HttpResponseRedirect(reverse("admin:index"))


site = AgencyAdminSite(name="admin")



class RowsOutsideQuerysetNotFound:
    """Every page of one row (change, delete, history) answers 404 for an id outside ``get_queryset``, before
    any permission check: another agency's row is answered as if it did not exist, never with Django's 403
    (a role that may not change or delete) or its redirect to the index (no such row)."""

    def _raise_404_unless_visible(self, request, object_id):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            return  # Django refuses the field itself
        if self.get_object(request, unquote(object_id), to_field) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._raise_404_unless_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._raise_404_unless_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._raise_404_unless_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class TenantAdmin(RowsOutsideQuerysetNotFound, SimpleHistoryAdmin):
    """Admin of a tenant-owned model. Subclasses say who may write through ``write_capability``.

    * lists and objects: the active agency's only (plus ``restrict_queryset`` for narrower roles);
    * foreign keys: choices of the active agency only;
    * ``agency``: never a form field, set from the request;
    * another agency's id: 404, for change, delete and history alike.
    """

    #: which ``Tenant`` property allows add/change/delete: "can_write", "can_manage_portfolio",
    #: or "can_administer_agency".
    write_capability = "can_manage_portfolio"
    exclude = ("agency",)

    # -- permissions -------------------------------------------------------------------------------
    def _can_write(self, request):
        tenant = _tenant(request)
        if tenant is None or tenant.agency is None:
            return False  # the platform's all-agencies view is read only
        if tenant.is_platform:
            return True
        return bool(getattr(tenant, self.write_capability))

    def has_module_permission(self, request):
        tenant = _tenant(request)
        return bool(tenant and (tenant.is_member or tenant.is_platform))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self._can_write(request)

    def has_change_permission(self, request, obj=None):
        return self._can_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._can_write(request)

    # -- scoping -----------------------------------------------------------------------------------
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        tenant = _tenant(request)
        if tenant is None:
            return queryset.none()
        if tenant.agency is not None:
            queryset = queryset.filter(agency=tenant.agency)
        elif not tenant.is_platform:
            return queryset.none()
        return self.restrict_queryset(request, queryset)

    def restrict_queryset(self, request, queryset):
        """Narrow the agency's rows further for a role (operators: their stores)."""
        return queryset

    def related_choices(self, request, model):
        """The rows of ``model`` a form of this agency may point at."""
        from .models import User

        tenant = _tenant(request)
        if model is User:
            if tenant is None or tenant.agency is None:
                return User.objects.none()
            return User.objects.filter(memberships__agency=tenant.agency).distinct()
        if tenant is None or tenant.agency is None:
            return model._default_manager.none()
        if any(f.name == "agency" for f in model._meta.fields):
            return model._default_manager.filter(agency=tenant.agency)
        return model._default_manager.all()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.related_choices(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.related_choices(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        agency = request.agency

        class AgencyForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                # The agency is known before validation, so that per-agency rules (uniqueness) can run.
                if agency is not None and getattr(self.instance, "agency_id", None) is None:
                    self.instance.agency = agency

        AgencyForm.__name__ = form.__name__
        return form if agency is None else AgencyForm

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if hasattr(instance, "agency_id") and instance.agency_id is None:
                instance.agency = request.agency
        super().save_formset(request, form, formset, change)

    # -- audit trail -------------------------------------------------------------------------------
    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        tenant = _tenant(request)
        if tenant is not None and tenant.agency is not None and "agency" in {
            f.name for f in history_manager.model._meta.fields
        }:
            queryset = queryset.filter(agency_id=tenant.agency.pk)
        return queryset

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class TenantInline(admin.TabularInline):
    """Inline of a tenant-owned model: choices of the active agency, agency set on save."""

    exclude = ("agency",)
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from .models import User

        tenant = _tenant(request)
        if db_field.related_model is User:
            # Inlines assign people to the agency's rows (operators to stores): those who work on stores.
            from .selectors import assignable_people

            kwargs["queryset"] = (assignable_people(agency=tenant.agency) if tenant and tenant.agency
                                  else User.objects.none())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _can_write(self, request, capability):
        tenant = _tenant(request)
        return bool(tenant and tenant.agency is not None and (tenant.is_platform or getattr(tenant, capability)))

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return self._can_write(request, "can_manage_portfolio")

    def has_change_permission(self, request, obj=None):
        return self._can_write(request, "can_manage_portfolio")

    def has_delete_permission(self, request, obj=None):
        return self._can_write(request, "can_manage_portfolio")


class AuditTrailAdmin(RowsOutsideQuerysetNotFound, admin.ModelAdmin):
    """Read-only list of a tenant model's historical rows (including deleted objects), for the agency."""

    list_display = ("history_date", "history_type_label", "object_label", "history_user", "history_api_key")
    list_filter = ("history_type",)
    date_hierarchy = "history_date"
    ordering = ("-history_date",)

    @admin.display(description=_("change"))
    def history_type_label(self, obj):
        return {"+": gettext("created"), "~": gettext("changed"), "-": gettext("deleted")}.get(obj.history_type, "")

    @admin.display(description=_("object"))
    def object_label(self, obj):
        return obj.history_object

    def has_module_permission(self, request):
        tenant = _tenant(request)
        return bool(tenant and (tenant.is_platform or (tenant.is_member and tenant.can_manage_portfolio
                                                       and tenant.api_key is None)))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("history_user")
        tenant = _tenant(request)
        if tenant is None:
            return queryset.none()
        if tenant.agency is not None:
            field = "id" if self.model.instance_type.__name__ == "Agency" else "agency_id"
            return queryset.filter(**{field: tenant.agency.pk})
        return queryset if tenant.is_platform else queryset.none()


_audit_label = lazy(lambda name: gettext("audit trail: %(model)s") % {"model": name}, str)


def register_audit_trail(model):
    """Show ``model``'s audit trail in the admin, scoped to the agency."""
    history_model = model.history.model
    opts = model._meta
    history_model._meta.verbose_name = _audit_label(opts.verbose_name)
    history_model._meta.verbose_name_plural = _audit_label(opts.verbose_name_plural)
    site.register(history_model, AuditTrailAdmin)


__all__ = ["site", "RowsOutsideQuerysetNotFound", "TenantAdmin", "TenantInline", "AuditTrailAdmin",
           "register_audit_trail"]
