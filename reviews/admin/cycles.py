"""The review cycles in the admin: the list of the agency's months under review, each with its due date, checklist
version, who opened it (empty: the product, on the 1st) and how many of its reviews are in each status (of the stores
the person sees), linking to its board; and "Open a cycle" (``open/``), where a manager opens the review of a past
month by hand (``services.cycle_open``: idempotent, so opening a month that is open already adds only the stores it
lacks).

A cycle itself is never changed nor deleted here: its page reads only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from accounts.platform.admin_site import TenantAdmin, site
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of

from .. import services
from ..models import ReviewCycle, StoreReview
from ..powers import MANAGE_REVIEWS
from .filters import board_url

Status = StoreReview.Status


class OpenCycleForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"],
                            widget=UnfoldAdminTextInputWidget(attrs={"type": "month", "placeholder": "YYYY-MM"}),
                            help_text=_("A past month, as YYYY-MM."),
                            error_messages={"invalid": _("Write the month as YYYY-MM, e.g. 2026-10.")})


@admin.register(ReviewCycle, site=site)
class ReviewCycleAdmin(TenantAdmin):
    write_power = MANAGE_REVIEWS
    list_display = ("month_label", "due_on", "checklist", "opened_by_label", "review_total", "approved_total",
                    "board_link")
    list_select_related = ("checklist", "opened_by")
    readonly_fields = ("month_label", "due_on", "checklist", "opened_by_label", "review_total", "approved_total",
                       "board_link")
    fields = readonly_fields
    actions = None
    list_per_page = 50
    list_before_template = "reviews/cycles_before_list.html"

    def has_add_permission(self, request, *args):
        return False  # "Open a cycle" opens one through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_open(self, request):
        return caller_of(request).can(MANAGE_REVIEWS)

    def get_queryset(self, request):
        """The agency's cycles, each with how many reviews and approved reviews of the stores the person sees."""
        rows = super().get_queryset(request).order_by("-month")
        caller = caller_of(request)
        if caller.agency is None:
            return rows.annotate(reviews_seen=Count("reviews"),
                                 approved_seen=Count("reviews", filter=Q(reviews__status=Status.APPROVED)))
        seen = Q() if caller.sees_all_stores else Q(
            reviews__store__in=visible_stores(agency=caller.agency, caller=caller).values("pk"))
        return rows.annotate(reviews_seen=Count("reviews", filter=seen),
                             approved_seen=Count("reviews", filter=seen & Q(reviews__status=Status.APPROVED)))

    def changelist_view(self, request, extra_context=None):
        context = {"open_cycle_url": reverse("admin:reviews_reviewcycle_open") if self.may_open(request) else "",
                   **(extra_context or {})}
        return super().changelist_view(request, context)

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return str(obj)

    @admin.display(description=_("opened by"))
    def opened_by_label(self, obj):
        return str(obj.opened_by) if obj.opened_by else gettext("the product, on the 1st")

    @admin.display(description=_("reviews"), ordering="reviews_seen")
    def review_total(self, obj):
        return getattr(obj, "reviews_seen", "—")

    @admin.display(description=_("approved"), ordering="approved_seen")
    def approved_total(self, obj):
        return getattr(obj, "approved_seen", "—")

    @admin.display(description=_("board"))
    def board_link(self, obj):
        return format_html('<a href="{}">{}</a>', board_url(obj), gettext("Open the board"))

    # -- opening a cycle by hand -------------------------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [path("open/", self.admin_route(self.open_view), name=f"{prefix}_open"), *super().get_urls()]

    def open_view(self, request):
        """The form (managers): a past month; opening it leads to its board. A refusal (the current month, a later
        one) is an error on the field."""
        if not self.may_open(request):
            raise PermissionDenied
        caller = caller_of(request)
        form = OpenCycleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cycle = services.cycle_open(agency=caller.agency, month=form.cleaned_data["month"], caller=caller)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, gettext("The review of %(month)s is open.") % {"month": cycle})
                return HttpResponseRedirect(board_url(cycle))
        request.current_app = self.admin_site.name
        title = _("Open a month's review")
        context = {**self.admin_site.each_context(request), "title": title, "content_title": title, "form": form,
                   "opts": self.opts, "has_view_permission": True}
        return TemplateResponse(request, "reviews/open_cycle.html", context)
