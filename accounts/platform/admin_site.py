"""The agency-scoped admin site and the base classes of every app's admin.

Everything a person sees in ``/admin/`` belongs to their active agency: lists are filtered by it, foreign-key
choices are limited to it, new rows get it, and an id of another agency's object is a 404. Inside the agency,
lists and choices of rows that hang off a store are narrowed to the stores the person sees
(``accounts.selectors.visible_rows``). Platform superusers may look across agencies; a banner says so and
every such page view is recorded.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import lazy
from django.utils.text import smart_split
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from unfold.admin import ModelAdmin as ThemeModelAdmin
from unfold.admin import TabularInline as ThemeTabularInline
from unfold.forms import AuthenticationForm as ThemeAuthenticationForm
from unfold.sites import UnfoldAdminSite

from .. import extensions
from ..models import Agency, TenantModel, User
from ..roles import Power
from ..selectors import assignable_people, members, visible_rows
from ..tenancy import caller_of, memberships_of, switch_agency
from .autocomplete import ScopedAutocompleteJsonView
from .ids import object_id_or_none
from .navigation import AUDIT_TRAIL_ORDER, PLATFORM_ORDER, NavigationGroup, model_items, sidebar
from .overview import overview_context
from .search import search_terms_error


class AgencyLoginForm(ThemeAuthenticationForm, AdminAuthenticationForm):
    """Staff of any agency may sign in (not only Django's is_staff); a person of no agency may not."""

    def confirm_login_allowed(self, user):
        if not user.is_active or not (user.is_superuser or memberships_of(user)):
            raise forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class AgencyAdminSite(UnfoldAdminSite):
    site_header = _("Store health back-office")
    site_title = _("Store health back-office")
    index_title = _("Overview")
    index_template = "admin/overview.html"
    login_form = AgencyLoginForm

    def has_permission(self, request):
        user = request.user
        if not user.is_active or not user.is_authenticated:
            return False
        return user.is_superuser or caller_of(request).is_member

    def each_context(self, request):
        context = super().each_context(request)
        caller = caller_of(request)
        context["caller"] = caller
        if caller.is_person:
            context["switchable_agencies"] = self._switchable_agencies(caller)
        return context

    def index(self, request, extra_context=None):
        """The first page: what needs the person today in the active agency (``accounts.platform.overview``)."""
        return super().index(request, {**overview_context(request), **(extra_context or {})})

    def get_sidebar_list(self, request):
        """The sidebar by what people do: the groups the apps contribute (``extensions.admin_navigation``), then
        the audit trails and the platform's records; each person sees the links their role may open."""
        groups = [
            *extensions.admin_navigation.contributions(),
            NavigationGroup(title=_("Audit trail"), order=AUDIT_TRAIL_ORDER,
                            items=model_items(self, lambda model_admin: isinstance(model_admin, AuditTrailAdmin),
                                              icon="history",
                                              # under the group's title, each trail is named by its model
                                              title=lambda model: model.instance_type._meta.verbose_name_plural)),
            NavigationGroup(title=_("Platform"), order=PLATFORM_ORDER,
                            items=model_items(self, lambda model_admin: getattr(model_admin, "platform_record", False),
                                              icon="shield_person")),
        ]
        return sidebar(admin_site=self, request=request, groups=groups)

    @staticmethod
    def _switchable_agencies(caller):
        if caller.user.is_superuser:
            return list(Agency.objects.filter(is_active=True).order_by("name"))
        return [m.agency for m in caller.memberships]

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

    def autocomplete_view(self, request):
        """Autocomplete answers offer what the source field's form accepts (``accounts.platform.autocomplete``)."""
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)

    def view_on_site_view(self, request, content_type_id, object_id):
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
        agency_id = object_id_or_none(raw)
        if raw and agency_id is None or not switch_agency(user=request.user, agency_id=agency_id):
            # Same answer for an agency that does not exist and one the person is not in.
            raise Http404
        agency = request.user.active_agency
        messages.success(request, gettext("You are now working in %(agency)s.") % {"agency": agency.name}
                         if agency else gettext("You are now looking across all agencies (platform view)."))
        return HttpResponseRedirect(reverse("admin:index"))


site = AgencyAdminSite(name="admin")


class ReadOnlyAdminMixin:
    """A list and pages of rows that nobody adds, changes or deletes through the admin (records, logs)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RowsOutsideQuerysetNotFound:
    """Every page of one row (change, delete, history) answers 404 for an id outside ``get_queryset``, before
    any permission check: another agency's row is answered as if it did not exist, never with Django's 403
    (a role that may not change or delete) or its redirect to the index (no such row). Rows selected for an
    action by what cannot be an id (a word, ``1.9``, a NUL character) do not exist either."""

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

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        ids = [value for value in selected if object_id_or_none(value) is not None]
        if len(ids) != len(selected):
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, ids)
        return super().response_action(request, queryset)


class TenantAdmin(RowsOutsideQuerysetNotFound, SimpleHistoryAdmin, ThemeModelAdmin):
    """Admin of a tenant-owned model. Subclasses say who may write through ``write_power``.

    * lists and objects: the active agency's only, narrowed to the person's stores for a model with a
      ``store_path`` (operators see their assigned stores' rows);
    * foreign keys: choices of the active agency only, narrowed the same way;
    * ``agency``: never a form field, set from the request;
    * another agency's id: 404, for change, delete and history alike;
    * a model that keeps no audit trail (no ``history = audit_trail()``: rows the product rewrites itself, such as
      daily metrics) has Django's own history page instead of simple-history's, and no page of a version.
    """

    #: the power (``accounts.roles.Power``) that allows add, change and delete.
    write_power = Power.MANAGE
    exclude = ("agency",)

    # -- permissions -------------------------------------------------------------------------------
    def _can_write(self, request):
        # The platform's all-agencies view has no agency: it is read only.
        return caller_of(request).can(self.write_power)

    def has_module_permission(self, request):
        caller = caller_of(request)
        return caller.is_member or caller.is_platform

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
        return self.agency_rows(request, super().get_queryset(request))

    # -- routes -------------------------------------------------------------------------------------
    def admin_route(self, method):
        """``method`` as a page of this admin of its own (``get_urls``): behind the admin site's sign-in, and known
        as this ``ModelAdmin``'s (``model_admin``, as Django's own routes are) to the isolation walker and to the
        request limits (``request_body_limit``)."""
        wrapper = self.admin_site.admin_view(method)
        wrapper.model_admin = self
        return wrapper

    @staticmethod
    def agency_rows(request, queryset):
        """The rows of ``queryset`` the person may see: their agency's, narrowed to their stores."""
        caller = caller_of(request)
        if caller.agency is not None:
            queryset = queryset.filter(agency=caller.agency)
        elif not caller.is_platform:
            return queryset.none()
        return visible_rows(queryset, caller=caller)

    def related_choices(self, request, model):
        """The rows of ``model`` a form of this agency may point at."""
        agency = caller_of(request).agency
        if model is User:
            return members(agency=agency)
        if agency is None:
            return model._default_manager.none()
        if issubclass(model, TenantModel):
            return self.agency_rows(request, model._default_manager.all())
        return model._default_manager.all()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.related_choices(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.related_choices(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        agency = caller_of(request).agency
        return form if agency is None else form_of_agency(form, agency)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if hasattr(instance, "agency_id") and instance.agency_id is None:
                instance.agency = caller_of(request).agency
        super().save_formset(request, form, formset, change)

    def get_search_results(self, request, queryset, search_term):
        """A search of more terms than ``search.MAX_SEARCH_TERMS`` finds nothing and says why."""
        refused = search_terms_error(len(list(smart_split(search_term))))
        if refused:
            self.message_user(request, refused, messages.ERROR)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    # -- audit trail -------------------------------------------------------------------------------
    @property
    def keeps_audit_trail(self):
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def get_urls(self):
        urls = super().get_urls()
        if self.keeps_audit_trail:
            return urls
        return [url for url in urls if not (url.name or "").endswith("_simple_history")]

    def history_view(self, request, object_id, extra_context=None):
        if self.keeps_audit_trail:
            return super().history_view(request, object_id, extra_context)
        self._raise_404_unless_visible(request, object_id)
        return ThemeModelAdmin.history_view(self, request, object_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record, agency=caller_of(request).agency)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        agency = caller_of(request).agency
        if agency is not None and "agency" in {f.name for f in history_manager.model._meta.fields}:
            queryset = queryset.filter(agency_id=agency.pk)
        return queryset

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if object_id_or_none(version_id) is None or self.get_object(request, object_id) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class PolicyAdmin(TenantAdmin):
    """The admin of an app's policy row (one per agency: ``accounts.models``' docstring). No adding: the row is
    created, with the app's defaults, for the first person who may change it, when they open the list (so that
    reading never writes; until then the rules use the same defaults); no deleting: the defaults are a row too.
    ``current/`` leads to the agency's row (the sidebar's link).

    A subclass says how to read and create its row: ``policy_of(agency)``, the app's selector (the row or an unsaved
    one with the defaults), and ``policy_ensure(agency)``, the app's service that creates it."""

    def policy_of(self, agency):
        raise NotImplementedError(f"{type(self).__name__} reads the agency's row with its app's selector")

    def policy_ensure(self, agency):
        raise NotImplementedError(f"{type(self).__name__} creates the agency's row with its app's service")

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")

    def changelist_view(self, request, extra_context=None):
        agency = caller_of(request).agency
        if agency is not None and self.has_change_permission(request):
            self.policy_ensure(agency)
        return super().changelist_view(request, extra_context)

    def _url_name(self, view):
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        return [path("current/", self.admin_route(self.current_view), name=self._url_name("current")),
                *super().get_urls()]

    def current_view(self, request):
        """The form of the agency's one row (created with the defaults for someone who may change it)."""
        agency = caller_of(request).agency
        policy = self.policy_of(agency) if agency is not None else None
        if policy is not None and policy.pk is None and self.has_change_permission(request):
            policy = self.policy_ensure(agency)
        if policy is None or policy.pk is None:
            return HttpResponseRedirect(reverse(f"admin:{self._url_name('changelist')}"))
        return HttpResponseRedirect(reverse(f"admin:{self._url_name('change')}", args=[policy.pk]))


class ReadableHistory(HistoricalRecordContextHelper):
    """A change on the history page as a person reads it, in their language: a choice by its label ("At risk",
    not ``at_risk``), a yes/no as a word, a related row by its name (looked up in the same agency only), an
    empty value as a dash. Field names are their labels already (simple-history's default)."""

    def __init__(self, model, historical_record, *, agency, **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.agency = agency

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if field.many_to_one and field.related_model is not None:
            return self._related_name(field.related_model, value)
        if not isinstance(value, (list, str)):
            return localize(value)
        return super().prepare_delta_change_value(change, value)

    def _related_name(self, model, pk):
        rows = model._base_manager.filter(pk=pk)
        if self.agency is not None and issubclass(model, TenantModel):
            rows = rows.filter(agency=self.agency)
        elif self.agency is not None and model is not User:
            return pk
        row = rows.first()
        return str(row) if row is not None else pk


def form_of_agency(form, agency):
    """``form`` (a model form of a tenant-owned model) with ``agency`` set on its new instance before validation,
    so that the model's per-agency rules and unique constraints are checked like any other field's, and a
    duplicate is a form error rather than the database's refusal (the agency is never a form field)."""

    class AgencyForm(form):
        def __init__(self, *args, **form_kwargs):
            super().__init__(*args, **form_kwargs)
            if getattr(self.instance, "agency_id", None) is None:
                self.instance.agency = agency

        def _get_validation_exclusions(self):
            # Django leaves the fields a form does not show out of model validation, and with them every unique
            # constraint that names one; the agency is known already.
            return super()._get_validation_exclusions() - {"agency"}

    AgencyForm.__name__ = form.__name__
    return AgencyForm


class TenantInline(ThemeTabularInline):
    """Inline of a tenant-owned model: choices of the active agency, agency set before validation. People
    offered are those who may be made responsible for the agency's stores."""

    exclude = ("agency",)
    extra = 0
    write_power = Power.MANAGE

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        agency = caller_of(request).agency
        if agency is not None:
            formset.form = form_of_agency(formset.form, agency)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        agency = caller_of(request).agency
        if db_field.related_model is User:
            kwargs["queryset"] = assignable_people(agency=agency)
        elif issubclass(db_field.related_model, TenantModel):
            kwargs["queryset"] = TenantAdmin.agency_rows(request, db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return caller_of(request).can(self.write_power)

    def has_change_permission(self, request, obj=None):
        return caller_of(request).can(self.write_power)

    def has_delete_permission(self, request, obj=None):
        return caller_of(request).can(self.write_power)


class AuditTrailAdmin(ReadOnlyAdminMixin, RowsOutsideQuerysetNotFound, ThemeModelAdmin):
    """Read-only list of a tenant model's historical rows (including deleted objects), for the agency.

    Who may read it: people who read audit trails (``Power.MANAGE``, and the platform), and of those only the
    ones the model's own admin lets in, so that a trail never shows rows its model hides (managers do not see
    the API keys, nor their trail).
    """

    list_display = ("when", "history_type_label", "object_label", "who", "reason")
    list_filter = ("history_type",)
    date_hierarchy = "history_date"
    ordering = ("-history_date",)

    @admin.display(description=_("change"))
    def history_type_label(self, obj):
        return {"+": gettext("created"), "~": gettext("changed"), "-": gettext("deleted")}.get(obj.history_type, "")

    @admin.display(description=_("object"))
    def object_label(self, obj):
        return obj.history_object

    @admin.display(description=_("When"), ordering="history_date")
    def when(self, obj):
        return localize(timezone.localtime(obj.history_date))

    @admin.display(description=_("Who"))
    def who(self, obj):
        if obj.history_user is not None:
            return str(obj.history_user)
        if obj.history_api_key:
            return gettext("API key “%(name)s”") % {"name": obj.history_api_key}
        return gettext("the system")

    @admin.display(description=_("Why"))
    def reason(self, obj):
        # Reasons are stored in English, marked for translation where they are written.
        return gettext(obj.history_change_reason) if obj.history_change_reason else "—"

    def _reads_audit_trails(self, request):
        caller = caller_of(request)
        return caller.is_platform or (caller.is_person and caller.can(Power.MANAGE))

    def _instance_admin(self):
        return self.admin_site._registry.get(self.model.instance_type)

    def has_module_permission(self, request):
        instance_admin = self._instance_admin()
        return (instance_admin is not None and self._reads_audit_trails(request)
                and instance_admin.has_module_permission(request))

    def has_view_permission(self, request, obj=None):
        # ``obj`` is a version, possibly of a deleted row: the model's admin is asked about the model.
        instance_admin = self._instance_admin()
        return (instance_admin is not None and self._reads_audit_trails(request)
                and instance_admin.has_view_permission(request))

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("history_user")
        caller = caller_of(request)
        if caller.agency is not None:
            field = "id" if self.model.instance_type is Agency else "agency_id"
            return queryset.filter(**{field: caller.agency.pk})
        return queryset if caller.is_platform else queryset.none()


_audit_label = lazy(lambda name: gettext("audit trail: %(model)s") % {"model": name}, str)


def register_audit_trail(model):
    """Show ``model``'s audit trail in the admin, scoped to the agency."""
    history_model = model.history.model
    opts = model._meta
    history_model._meta.verbose_name = _audit_label(opts.verbose_name)
    history_model._meta.verbose_name_plural = _audit_label(opts.verbose_name_plural)
    site.register(history_model, AuditTrailAdmin)


__all__ = ["site", "ThemeModelAdmin", "ReadOnlyAdminMixin", "RowsOutsideQuerysetNotFound", "TenantAdmin",
           "TenantInline", "AuditTrailAdmin", "register_audit_trail"]
