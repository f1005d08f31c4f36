"""The monthly account-health review (月度账户体检): every active store checked once a month.

* ``ReviewPolicy``: the agency's review numbers (one row per agency; ``selectors.review_policy`` gives the defaults
  while the agency never changed them): the day of the month reviews are due.
* ``ChecklistVersion``: one version of the agency's checklist (its items, each with its English and Chinese text and
  whether it is required); a change writes a new version, and a cycle keeps the version it opened with.
* ``ReviewCycle``: one agency and one month; the database holds one per agency and month.
* ``StoreReview``: one store's review in a cycle (one per store and cycle): its month, frozen at opening as a
  summary computed from the data (refreshed on demand before submission), the checklist's answers, who reviews it
  and its status (``reviews.workflow``).
* ``ReviewEvent``: the review's trail, one row per status move and per refresh of its summary (who, when, from, to,
  comment).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_trail
from accounts.free_text import FreeTextField
from accounts.models import Store, TenantModel


class ReviewPolicy(TenantModel):
    """The agency's review numbers."""

    due_day = models.PositiveSmallIntegerField(
        _("reviews due on day"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("A cycle's reviews are due on this day of the month after the month reviewed."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [models.UniqueConstraint(fields=["agency"], name="review_policy_one_per_agency")]

    def __str__(self):
        return gettext("Review policy of %(agency)s") % {"agency": self.agency.name}


class ChecklistVersion(TenantModel):
    """One version of the agency's checklist: ``items`` is a list of ``{"code", "en", "zh-hans", "required"}``
    (``reviews.checklist`` reads and checks it)."""

    number = models.PositiveIntegerField(_("version"))
    items = models.JSONField(_("items"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="checklist_version_unique")]

    def __str__(self):
        return gettext("Checklist v%(number)s") % {"number": self.number}


class ReviewCycle(TenantModel):
    """One agency's review of one month (``month``: its first day)."""

    month = models.DateField(_("month"))
    due_on = models.DateField(_("due on"))
    checklist = models.ForeignKey(ChecklistVersion, verbose_name=_("checklist"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text=_("Empty when the product opened it on the 1st."))

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="review_cycle_one_per_month")]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class StoreReview(TenantModel):
    """One store's review in a cycle."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    cycle = models.ForeignKey(ReviewCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reviews")
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("The store's operator at opening; empty: the managers' queue."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    summary_at = models.DateTimeField(_("summary computed at"))
    answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    #: Whether an answer says "issue found" (kept with the answers: the board puts these first and approves the
    #: others in bulk without reading every review's answers).
    issues_found = models.BooleanField(_("issues found"), default=False)
    comment = FreeTextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    store_path = "store"

    class Meta:
        verbose_name = _("store review")
        verbose_name_plural = _("store reviews")
        ordering = ["cycle", "store__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "cycle", "store"], name="store_review_one_per_cycle")]
        indexes = [
            models.Index(fields=["agency", "cycle", "status"], name="store_review_status_idx"),
            models.Index(fields=["agency", "cycle", "reviewer"], name="store_review_reviewer_idx"),
        ]

    def __str__(self):
        return f"{self.store} · {self.cycle}"


class ReviewEvent(TenantModel):
    """One entry of a review's trail: a status move or a refresh of its summary."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Status move")
        REFRESH = "refresh", _("Summary refreshed")

    review = models.ForeignKey(StoreReview, verbose_name=_("review"), on_delete=models.CASCADE,
                               related_name="events")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MOVE)
    from_status = models.CharField(_("from"), max_length=16, choices=StoreReview.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=StoreReview.Status.choices, blank=True)
    comment = FreeTextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name=_("API key"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))

    store_path = "review__store"

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["agency", "review", "at"], name="review_event_idx")]

    def __str__(self):
        return f"{self.review} · {self.get_kind_display()}"
