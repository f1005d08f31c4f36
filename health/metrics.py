"""The metric vocabulary (DOMAIN.md): one set of names for the database, the REST API, the CSV import, the
thresholds and the alerts. One registry answers, for every metric: its key, its label, its kind, the direction
in which it is good, Amazon's default target and where Amazon's report carries it.

Rates are fractions from 0 to 1, as in Amazon's report (0.009 is 0.9 %); the UI shows percentages. A metric may
be missing on any day: missing is "no data", never zero.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SCORE = "score", _("Score (0–1000)")
    STATUS = "status", _("Status")
    RATE = "rate", _("Rate")
    COUNT = "count", _("Count")
    WARNINGS = "warnings", _("Warnings")


class Condition(models.TextChoices):
    """How a value is compared with its target (Amazon's ``targetCondition``)."""

    LESS_THAN = "LESS_THAN", _("below")
    GREATER_THAN = "GREATER_THAN", _("above")
    EQUALS = "EQUALS", _("equal to")


class ReportStatus(models.TextChoices):
    """Amazon's own verdict on a metric in its report (``status``)."""

    GOOD = "GOOD", _("Good")
    BAD = "BAD", _("Bad")
    NONE = "NONE", _("None")


#: The highest Account Health Rating.
AHR_MAX = 1000


@dataclass(frozen=True)
class Metric:
    """One metric of the vocabulary.

    ``target`` and ``condition`` are DOMAIN.md's defaults (the agency may override the target in its
    ``HealthPolicy``: the field ``<key>_target``); ``report_names`` are the section names of Amazon's
    ``GET_V2_SELLER_PERFORMANCE_REPORT`` that carry it, every spelling Amazon has used.
    """

    key: str
    label: str
    kind: str
    short_label: str = ""
    target: float | None = None
    condition: str | None = None
    report_names: tuple = ()

    @property
    def is_rate(self):
        return self.kind == Kind.RATE

    @property
    def abbreviation(self):
        return self.short_label or self.label


def _count(key, label, *report_names):
    return Metric(key, label, Kind.COUNT, target=0, condition=Condition.EQUALS, report_names=report_names)


_ALL = [
    Metric("ahr_score", _("Account Health Rating"), Kind.SCORE, _("AHR")),
    Metric("ahr_status", _("AHR status"), Kind.STATUS),
    Metric("account_status", _("Account status"), Kind.STATUS),
    Metric("odr_mfn", _("Order Defect Rate (seller-fulfilled)"), Kind.RATE, _("ODR (MFN)"), 0.01,
           Condition.LESS_THAN),
    Metric("odr_afn", _("Order Defect Rate (fulfilled by Amazon)"), Kind.RATE, _("ODR (AFN)"), 0.01,
           Condition.LESS_THAN),
    Metric("late_shipment_rate", _("Late Shipment Rate"), Kind.RATE, _("LSR"), 0.04, Condition.LESS_THAN,
           ("lateShipmentRate",)),
    Metric("cancel_rate", _("Pre-fulfilment Cancel Rate"), Kind.RATE, _("Cancel rate"), 0.025, Condition.LESS_THAN,
           ("preFulfillmentCancellationRate", "prefulfillmentCancelRate")),
    Metric("valid_tracking_rate", _("Valid Tracking Rate"), Kind.RATE, _("VTR"), 0.95, Condition.GREATER_THAN,
           ("validTrackingRate",)),
    Metric("on_time_delivery_rate", _("On-Time Delivery Rate"), Kind.RATE, _("OTDR"), 0.90, Condition.GREATER_THAN,
           ("onTimeDeliveryRate",)),
    Metric("unit_on_time_delivery_rate", _("Unit On-Time Delivery Rate"), Kind.RATE, _("Unit OTDR"), 0.90,
           Condition.GREATER_THAN, ("unitOnTimeDeliveryRate",)),
    Metric("invoice_defect_rate", _("Invoice Defect Rate"), Kind.RATE, _("IDR"), 0.05, Condition.LESS_THAN,
           ("invoiceDefectRate",)),
    _count("ip_complaints", _("IP complaints"), "receivedIntellectualPropertyComplaints"),
    _count("suspected_ip_violations", _("Suspected IP violations"), "suspectedIntellectualPropertyViolations"),
    _count("authenticity_complaints", _("Product authenticity complaints"), "productAuthenticityCustomerComplaints"),
    _count("condition_complaints", _("Product condition complaints"), "productConditionCustomerComplaints"),
    _count("safety_complaints", _("Product safety complaints"), "productSafetyCustomerComplaints"),
    _count("food_safety_issues", _("Food and product safety issues"), "foodAndProductSafetyIssues"),
    _count("listing_policy_violations", _("Listing policy violations"), "listingPolicyViolations"),
    _count("restricted_product_violations", _("Restricted product policy violations"),
           "restrictedProductPolicyViolations"),
    _count("other_policy_violations", _("Other policy violations"), "otherPolicyViolations"),
    _count("document_requests", _("Document requests"), "documentRequests", "documentRequest"),
    Metric("warning_states", _("Warnings"), Kind.WARNINGS, report_names=("warningStates", "warningState")),
]

BY_KEY = {metric.key: metric for metric in _ALL}
#: Every key, in the vocabulary's order (the columns of the CSV, the fields of the API).
KEYS = tuple(BY_KEY)
RATE_KEYS = tuple(m.key for m in _ALL if m.kind == Kind.RATE)
COUNT_KEYS = tuple(m.key for m in _ALL if m.kind == Kind.COUNT)
CHOICES = [(m.key, m.label) for m in _ALL]

#: Account statuses Amazon reports per marketplace; any other string it sends is kept as sent.
ACCOUNT_STATUS_NORMAL = "NORMAL"
ACCOUNT_STATUSES = ("NORMAL", "AT_RISK", "DEACTIVATED")
#: AHR statuses: GREAT is healthy, WARNED is at risk; another string Amazon sends is kept as sent.
AHR_STATUSES = ("GREAT", "WARNED")


def metric(key):
    """The metric named ``key``; ``None`` if the vocabulary has no such key."""
    return BY_KEY.get(key)


def all_metrics():
    return list(_ALL)


def rate_as_percent(value):
    """A rate as a person reads it: 0.046 → "4.6%", 0.04 → "4.0%", 0.0095 → "0.95%" (one or two decimals)."""
    if value is None:
        return ""
    text = f"{value * 100:.2f}"
    return f"{text[:-1] if text.endswith('0') else text}%"


def display_value(key, value):
    """A metric's value as a person reads it: rates as percentages, warnings by their BAD types, else as is."""
    if value is None:
        return ""
    found = BY_KEY.get(key)
    if found is not None and found.kind == Kind.RATE:
        return rate_as_percent(value)
    if found is not None and found.kind == Kind.WARNINGS:
        bad = [str(state.get("type", "")) for state in value if state.get("status") == ReportStatus.BAD]
        return ", ".join(bad) if bad else "—"
    return str(value)
