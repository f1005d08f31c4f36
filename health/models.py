"""Account health: daily snapshots of every store's metrics, each store's evaluated health, the agency's health
policy (targets and the yellow margin), and imports of metrics files that run as tasks.

The metrics are the vocabulary of ``health.metrics``: one nullable column per key (``None`` is "no data", never
zero). Snapshots are written in sets by ``health.ingestion`` (one validation, one upsert), never one ``save()``
per row.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_trail
from accounts.models import Agency, Store, TenantModel

from . import metrics
from .thresholds import Colour, Thresholds


class Source(models.TextChoices):
    """Where a snapshot's values came from."""

    API = "api", _("ERP (API)")
    REPORT = "report", _("Amazon report")
    CSV = "csv", _("CSV import")
    MANUAL = "manual", _("Entered by hand")


def _rate(key):
    return models.FloatField(metrics.BY_KEY[key].label, null=True, blank=True,
                             validators=[MinValueValidator(0), MaxValueValidator(1)])


def _count(key):
    return models.PositiveIntegerField(metrics.BY_KEY[key].label, null=True, blank=True)


class HealthSnapshot(TenantModel):
    """One store's metrics on one day (the marketplace's day), as received. History is the rows of earlier days.

    ``report_targets`` keeps, for the metrics that came from Amazon's report, the report's own target and
    verdict of that day: ``{key: {"target": 0.04, "condition": "LESS_THAN", "status": "GOOD"}}``.
    ``source`` and ``received_at`` say where the values last changed from, and when (a replay that changes
    nothing leaves them as they were).
    """

    # Both keys below lead with the agency: an index of its own would only slow down every write of a large load.
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"))

    ahr_score = models.PositiveSmallIntegerField(metrics.BY_KEY["ahr_score"].label, null=True, blank=True,
                                                 validators=[MaxValueValidator(metrics.AHR_MAX)])
    ahr_status = models.CharField(metrics.BY_KEY["ahr_status"].label, max_length=32, null=True, blank=True)
    account_status = models.CharField(metrics.BY_KEY["account_status"].label, max_length=32, null=True, blank=True)
    odr_mfn = _rate("odr_mfn")
    odr_afn = _rate("odr_afn")
    late_shipment_rate = _rate("late_shipment_rate")
    cancel_rate = _rate("cancel_rate")
    valid_tracking_rate = _rate("valid_tracking_rate")
    on_time_delivery_rate = _rate("on_time_delivery_rate")
    unit_on_time_delivery_rate = _rate("unit_on_time_delivery_rate")
    invoice_defect_rate = _rate("invoice_defect_rate")
    ip_complaints = _count("ip_complaints")
    suspected_ip_violations = _count("suspected_ip_violations")
    authenticity_complaints = _count("authenticity_complaints")
    condition_complaints = _count("condition_complaints")
    safety_complaints = _count("safety_complaints")
    food_safety_issues = _count("food_safety_issues")
    listing_policy_violations = _count("listing_policy_violations")
    restricted_product_violations = _count("restricted_product_violations")
    other_policy_violations = _count("other_policy_violations")
    document_requests = _count("document_requests")
    warning_states = models.JSONField(metrics.BY_KEY["warning_states"].label, null=True, blank=True)

    report_targets = models.JSONField(_("report's targets"), default=dict, blank=True)

    store_path = "store"

    class Meta:
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        ordering = ["-date", "store_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "store", "date"], name="snapshot_one_per_store_and_day"),
        ]
        indexes = [
            # The agency's days in order (the snapshots list), and also a whole key of a store's day: whichever
            # of the two indexes the planner picks to find a batch's stored rows (before the table has
            # statistics it cannot tell them apart), each lookup is one probe, never a scan of a day's rows.
            models.Index(fields=["agency", "date", "store"], name="snapshot_agency_date_store_idx"),
        ]

    def __str__(self):
        return f"{self.store} · {self.date.isoformat()}"

    def values(self):
        """``{key: value}`` of every metric of the vocabulary (``None``: no data)."""
        return {key: getattr(self, key) for key in metrics.KEYS}


class StoreHealth(TenantModel):
    """A store's health as last evaluated (``health.evaluation``): what the dashboard, the store list's
    ``?health=`` filter and the overview read, so that none of them evaluates 10,000 stores on a page view.

    ``evaluations`` holds every metric's verdict on the latest snapshot (``thresholds.Evaluation.as_dict``): the
    reasons are worded when read, in the reader's language. ``*_week_ago`` is the latest snapshot at least
    seven days older than ``date``: the trend since last week.
    """

    store = models.OneToOneField(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="health")
    date = models.DateField(_("date of the latest snapshot"), null=True, blank=True)
    colour = models.CharField(_("health"), max_length=8, choices=Colour.choices, default=Colour.NO_DATA)
    worst_metric = models.CharField(_("worst metric"), max_length=40, choices=metrics.CHOICES, blank=True)
    red_count = models.PositiveSmallIntegerField(_("red metrics"), default=0)
    yellow_count = models.PositiveSmallIntegerField(_("yellow metrics"), default=0)
    ahr_score = models.PositiveSmallIntegerField(_("AHR"), null=True, blank=True)
    evaluations = models.JSONField(_("evaluations"), default=dict, blank=True)
    week_ago_date = models.DateField(_("date a week before"), null=True, blank=True)
    week_ago_colour = models.CharField(_("health a week before"), max_length=8, choices=Colour.choices,
                                       default=Colour.NO_DATA)
    week_ago_ahr_score = models.PositiveSmallIntegerField(_("AHR a week before"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"))

    store_path = "store"

    class Meta:
        verbose_name = _("store health")
        verbose_name_plural = _("portfolio health")
        indexes = [
            models.Index(fields=["agency", "colour"], name="storehealth_agency_colour_idx"),
        ]

    def __str__(self):
        return str(self.store)


def _target(key):
    found = metrics.BY_KEY[key]
    return models.FloatField(format_lazy(_("{metric} target"), metric=found.label), default=found.target,
                             validators=[MinValueValidator(0), MaxValueValidator(1)])


def _count_target(key):
    found = metrics.BY_KEY[key]
    return models.PositiveIntegerField(format_lazy(_("{metric} target"), metric=found.label), default=found.target,
                                       validators=[MaxValueValidator(COUNT_TARGET_MAX)])


#: The highest count target an agency may set.
COUNT_TARGET_MAX = 1_000_000


class HealthPolicy(TenantModel):
    """The agency's health numbers (one row per agency; ``health.selectors.health_policy`` gives the defaults of
    DOMAIN.md when the agency never changed them). Targets are fractions (0.04 is 4 %)."""

    odr_mfn_target = _target("odr_mfn")
    odr_afn_target = _target("odr_afn")
    late_shipment_rate_target = _target("late_shipment_rate")
    cancel_rate_target = _target("cancel_rate")
    valid_tracking_rate_target = _target("valid_tracking_rate")
    on_time_delivery_rate_target = _target("on_time_delivery_rate")
    unit_on_time_delivery_rate_target = _target("unit_on_time_delivery_rate")
    invoice_defect_rate_target = _target("invoice_defect_rate")
    # Policy counts: Amazon's target is 0; an agency may tolerate a few (a count above its target is red when it
    # rose, yellow while it stays).
    ip_complaints_target = _count_target("ip_complaints")
    suspected_ip_violations_target = _count_target("suspected_ip_violations")
    authenticity_complaints_target = _count_target("authenticity_complaints")
    condition_complaints_target = _count_target("condition_complaints")
    safety_complaints_target = _count_target("safety_complaints")
    food_safety_issues_target = _count_target("food_safety_issues")
    listing_policy_violations_target = _count_target("listing_policy_violations")
    restricted_product_violations_target = _count_target("restricted_product_violations")
    other_policy_violations_target = _count_target("other_policy_violations")
    document_requests_target = _count_target("document_requests")
    yellow_margin = models.FloatField(
        _("yellow margin"), default=0.2, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("How close to its target a metric turns yellow, as a share of the room between the target "
                    "and the perfect value: 0.2 turns a 4% target yellow from 3.2%."),
    )
    ahr_critical_below = models.PositiveSmallIntegerField(
        _("AHR critical below"), default=100, validators=[MaxValueValidator(metrics.AHR_MAX)],
        help_text=_("An Account Health Rating below this is red (Amazon: 0–99 is critical)."))
    ahr_at_risk_below = models.PositiveSmallIntegerField(
        _("AHR at risk below"), default=200, validators=[MaxValueValidator(metrics.AHR_MAX)],
        help_text=_("An Account Health Rating below this is yellow (Amazon: 100–199 is at risk)."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("health policy")
        verbose_name_plural = _("health policies")
        constraints = [models.UniqueConstraint(fields=["agency"], name="health_policy_one_per_agency")]

    def __str__(self):
        # Named by its agency: one agency's pages must never show a name that another agency's row has too.
        return gettext("Health policy of %(agency)s") % {"agency": self.agency.name}

    def thresholds(self):
        """The numbers the rules of ``health.thresholds`` take."""
        return Thresholds(
            targets={key: getattr(self, f"{key}_target") for key in (*metrics.RATE_KEYS, *metrics.COUNT_KEYS)},
            yellow_margin=self.yellow_margin,
            ahr_critical_below=self.ahr_critical_below,
            ahr_at_risk_below=self.ahr_at_risk_below,
        )


class MetricsImport(TenantModel):
    """A metrics file uploaded in the admin that is too big for one web request: a task validates and loads it
    from the private file storage, and the page shows its progress from this row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was written")

    file = models.FileField(_("file"), upload_to="health-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("metrics import")
        verbose_name_plural = _("metrics imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name
