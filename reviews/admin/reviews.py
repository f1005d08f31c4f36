"""The store reviews in the admin: the review list (what the board's counts link to) and a review's page.

* **The list** shows the caller's reviews (an operator: those of their stores; ``TenantAdmin``), the reviews that
  found issues first, then by status (submitted first: they wait for a manager) and store. Filters: cycle, status,
  reviewer (or the managers' queue), client, issues found, overdue (``filters``). Each row says whether it is
  overdue. A page reads the same few queries for ten reviews or ten thousand.
* **Bulk approval** (managers): the selected reviews that are submitted and found no issue are approved through
  ``services.reviews_approve_bulk``; each one refused is named in a message with why, never a 500.
* **A review's page** (``review_page``) shows the frozen month, the checklist with its answers, the reviewer's
  comment, the buttons of the moves the reader may make now and the trail.
* **The board** (``board/``, ``board.board_page``): a cycle's counts.

Nobody adds or deletes a review here: opening a cycle creates them (``services.cycle_open``) and a review is the
agency's record of the month.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Case, IntegerField, Value, When
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.platform.admin_site import TenantAdmin, site
from accounts.tenancy import caller_of

from .. import services
from ..models import StoreReview
from ..powers import SIGN_OFF_REVIEWS, WORK_ON_REVIEWS
from . import board, review_page
from .filters import (
    ClientFilter,
    CycleFilter,
    IssuesFilter,
    OverdueFilter,
    ReviewerFilter,
    StatusFilter,
    board_url,
    overdue_condition,
)

Status = StoreReview.Status
STATUS_TONES = {Status.PENDING: "", Status.IN_PROGRESS: "info", Status.SUBMITTED: "warning",
                Status.APPROVED: "success", Status.RETURNED: "danger"}
#: The order of the statuses on the list, for a manager: what waits for them, then what waits for the reviewer.
STATUS_ORDER = (Status.SUBMITTED, Status.RETURNED, Status.IN_PROGRESS, Status.PENDING, Status.APPROVED)
STATUS_RANK = Case(*(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
                   default=Value(len(STATUS_ORDER)), output_field=IntegerField())


def may_approve(request):
    """Only managers (``powers.SIGN_OFF_REVIEWS``) approve and return reviews; operators never do."""
    return caller_of(request).can(SIGN_OFF_REVIEWS)


@admin.register(StoreReview, site=site)
class StoreReviewAdmin(TenantAdmin):
    #: Operators work on their stores' reviews and managers on all; viewers read.
    write_power = WORK_ON_REVIEWS
    list_display = ("store_label", "cycle_label", "reviewer_label", "status_label", "issues_label", "overdue_label",
                    "submitted_label")
    list_display_links = ("store_label",)
    list_filter = (CycleFilter, StatusFilter, ReviewerFilter, ClientFilter, IssuesFilter, OverdueFilter)
    list_filter_submit = True
    list_select_related = ("store", "store__client", "cycle", "reviewer")
    search_fields = ("store__name", "store__seller_id", "store__client__name")
    list_per_page = 50
    actions = ("approve_without_issues",)

    def has_add_permission(self, request, *args):
        return False  # opening a cycle creates the reviews

    def has_delete_permission(self, request, obj=None):
        return False  # a review is the agency's record of its month

    def has_approve_permission(self, request):
        return may_approve(request)

    # -- the list ----------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        rows = super().get_queryset(request)
        agency = caller_of(request).agency
        if agency is None:
            return rows
        # Whether each row is overdue is read with it: the agency's today, one condition, no query per row.
        return rows.annotate(overdue=Case(When(overdue_condition(today=agency.today()), then=Value(True)),
                                          default=Value(False)))

    def get_ordering(self, request):
        """The reviews that found issues first; then what waits for a manager; then by store."""
        return ("-issues_found", STATUS_RANK.asc(), "store__name", "pk")

    def changelist_view(self, request, extra_context=None):
        context = {"title": _("Store reviews"), "board_url": board_url(), **(extra_context or {})}
        return super().changelist_view(request, context)

    @display(description=_("store"), ordering="store__name", header=True)
    def store_label(self, obj):
        return obj.store.name, f"{obj.store.client.name} · {obj.store.marketplace}"

    @admin.display(description=_("month"), ordering="cycle__month")
    def cycle_label(self, obj):
        return str(obj.cycle)

    @admin.display(description=_("reviewer"), ordering="reviewer__email")
    def reviewer_label(self, obj):
        return str(obj.reviewer) if obj.reviewer is not None else gettext("Managers' queue")

    @display(description=_("status"), ordering="status", label=STATUS_TONES)
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("issues"), ordering="issues_found", label={"yes": "danger"})
    def issues_label(self, obj):
        return ("yes", gettext("Issues found")) if obj.issues_found else ("", "—")

    @display(description=_("overdue"), label={"yes": "danger"})
    def overdue_label(self, obj):
        if not getattr(obj, "overdue", False):
            return "", "—"
        return "yes", gettext("Overdue since %(date)s") % {"date": obj.cycle.due_on.isoformat()}

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted_label(self, obj):
        return timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M") if obj.submitted_at else "—"

    # -- bulk approval -----------------------------------------------------------------------------------------------
    @admin.action(description=_("Approve the submitted reviews that found no issue"), permissions=["approve"])
    def approve_without_issues(self, request, queryset):
        caller = caller_of(request)
        reviews = list(queryset.select_related("store", "cycle").order_by("pk"))
        approved, refused = services.reviews_approve_bulk(agency=caller.agency, caller=caller, reviews=reviews)
        if approved:
            messages.success(request, ngettext("%(count)d review approved.", "%(count)d reviews approved.",
                                               len(approved)) % {"count": len(approved)})
        for review, error in refused:
            messages.error(request, gettext("%(review)s: %(reason)s")
                           % {"review": review, "reason": " ".join(error.messages)})

    # -- a review's page and the board ------------------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [path("board/", self.admin_route(self.board_view), name=f"{prefix}_board"), *super().get_urls()]

    def context(self, request, *, title, **extra):
        """The context of a page of this admin of our own: the theme's frame, headed by ``title``."""
        request.current_app = self.admin_site.name
        return {**self.admin_site.each_context(request), "title": title, "content_title": title,
                "has_view_permission": True, "opts": self.opts, **extra}

    def board_view(self, request):
        return board.board_page(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review's own page (``review_page``): a 404 for a review the caller does not see."""
        self._raise_404_unless_visible(request, object_id)
        review = self.get_object(request, unquote(object_id))
        return review_page.review_page(self, request, review)
