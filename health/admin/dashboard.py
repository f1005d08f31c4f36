"""The portfolio dashboard: every store the person sees (an operator: theirs), with its colour, its worst metric and
why, its AHR, the trend since last week, the date of its data, its client, marketplace and operators; worst first,
filtered by colour, client, marketplace and operator, with the count of each colour on top.

It reads ``StoreHealth``, what the evaluation wrote, so a page of it costs the same few queries for ten stores or
ten thousand (a page of rows, its count, the counts by colour, the filters' choices, the rows' operators).
A store appears once it has been evaluated: the evaluation gives every store it is asked about a row, "no data"
when nothing was received; the stores not evaluated yet are counted above the list rather than left unmentioned.

Nothing is written here: the rows are the evaluation's. A row opens a read-only page of the store's health (every
metric's verdict, the trend charts) that links to the store's own page.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display

from accounts import selectors as account_selectors
from accounts.platform.admin_site import TenantAdmin, site
from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from ..models import StoreHealth
from ..overview import COLOUR_PARAMETER
from ..panels import evaluations_of, render_health_panel
from ..thresholds import SEVERITY, TONES, WORST_FIRST, Colour, Evaluation


class ColourFilter(DropdownFilter):
    title = _("health")
    parameter_name = COLOUR_PARAMETER

    def lookups(self, request, model_admin):
        return [(colour.value, colour.label) for colour in WORST_FIRST]

    def queryset(self, request, queryset):
        if self.value() in Colour.values:
            return queryset.filter(colour=self.value())
        return queryset


class ClientFilter(DropdownFilter):
    title = _("client")
    parameter_name = "client"

    def lookups(self, request, model_admin):
        caller = caller_of(request)
        if caller.agency is None:
            return []
        clients = account_selectors.client_list(agency=caller.agency, caller=caller).order_by("name")
        return [(str(client.pk), client.name) for client in clients]

    def queryset(self, request, queryset):
        client_id = object_id_or_none(self.value()) if self.value() else None
        return queryset.filter(store__client_id=client_id) if client_id is not None else queryset


class OperatorFilter(DropdownFilter):
    title = _("operator")
    parameter_name = "operator"
    NONE = "none"

    def lookups(self, request, model_admin):
        caller = caller_of(request)
        agency = caller.agency
        if agency is None:
            return []
        people = account_selectors.assignable_people(agency=agency).order_by("email")
        if not caller.sees_all_stores:
            # An operator's list holds their own stores: the only operator to choose is themselves.
            people = people.filter(pk=caller.user.pk) if caller.user is not None else people.none()
        return [(self.NONE, _("No operator"))] + [(str(person.pk), str(person)) for person in people]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(store__assignments__isnull=True)
        person_id = object_id_or_none(self.value()) if self.value() else None
        if person_id is not None:
            return queryset.filter(store__assignments__user_id=person_id).distinct()
        return queryset


@dataclass(frozen=True)
class Trend:
    """How a store moved since a week before: ``direction`` is "worse" or "better" when its colour changed, else
    "same"; ``ahr_change`` the AHR's change (``None`` when either day lacks it)."""

    direction: str
    ahr_change: int | None
    colour_before: str

    @property
    def arrow(self):
        """Down for worse (or a falling AHR at the same colour), up for better (or a rising AHR), else level."""
        if self.direction != "same":
            return ARROWS[self.direction]
        if self.ahr_change:
            return ARROWS["worse" if self.ahr_change < 0 else "better"]
        return ARROWS["same"]


def trend_of(health):
    """The trend since last week, ``None`` without a day a week before. Only a change of colour is worse or better
    (a store that turned red is worse whatever its AHR did); at the same colour the AHR's change is shown as it
    is, without alarm."""
    if health.week_ago_date is None:
        return None
    ahr_change = None
    if health.ahr_score is not None and health.week_ago_ahr_score is not None:
        ahr_change = health.ahr_score - health.week_ago_ahr_score
    now, before = SEVERITY[health.colour], SEVERITY[health.week_ago_colour]
    direction = "same"
    if Colour.NO_DATA not in (health.colour, health.week_ago_colour) and now != before:
        direction = "worse" if now > before else "better"
    return Trend(direction, ahr_change, health.week_ago_colour)


#: The colours by how bad they are, for the database to sort by (``thresholds.SEVERITY``).
SEVERITY_ORDER = Case(*(When(colour=colour, then=Value(rank)) for colour, rank in SEVERITY.items()),
                      default=Value(0), output_field=IntegerField())

ARROWS = {"worse": "↓", "better": "↑", "same": "→"}
DIRECTION_LABELS = {"worse": _("worse than a week ago"), "better": _("better than a week ago")}


@admin.register(StoreHealth, site=site)
class PortfolioHealthAdmin(TenantAdmin):
    # Fits 1280 px in both languages: the client goes under the store's name, the marketplace is two letters.
    list_display = ("store_label", "marketplace", "colour_label", "worst_reason", "ahr", "trend", "data_date",
                    "operator_list")
    list_display_links = ("store_label",)
    list_filter = (ColourFilter, ClientFilter, ("store__marketplace", ChoicesDropdownFilter), OperatorFilter)
    list_select_related = ("store", "store__client")
    search_fields = ("store__name", "store__seller_id", "store__client__name")
    list_per_page = 50
    actions = None
    list_before_template = "health/dashboard_counts.html"
    change_form_after_template = "health/dashboard_store_health.html"
    fieldsets = (
        (None, {"fields": ("store_link", "colour_label", "date", "ahr_score", "trend", "evaluated_at")}),
    )
    readonly_fields = ("store_link", "colour_label", "ahr_score", "trend", "date", "evaluated_at")

    # -- read only: the rows are the evaluation's ---------------------------------------------------------
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # -- the list ------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("store__operators")

    def get_ordering(self, request):
        """Worst first: red, then yellow, green, no data; among equals the most red metrics, then the lowest AHR."""
        return (SEVERITY_ORDER.desc(), "-red_count", "-yellow_count", "ahr_score", "store__name")

    def changelist_view(self, request, extra_context=None):
        context = {"title": _("Portfolio health"), **self._colour_counts(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def _colour_counts(self, request):
        """The number of each colour among the person's stores (whatever the filters), each a link to the list of
        that colour, and how many of their stores are not evaluated yet."""
        counted = dict(self.get_queryset(request).order_by().values_list("colour").annotate(total=Count("pk")))
        chosen = request.GET.get(COLOUR_PARAMETER)
        url = reverse("admin:health_storehealth_changelist")
        counts = [{"colour": colour.value, "label": colour.label, "count": counted.get(colour.value, 0),
                   "tone": TONES[colour], "active": chosen == colour.value,
                   "url": f"{url}?{urlencode({COLOUR_PARAMETER: colour.value})}"} for colour in WORST_FIRST]
        caller = caller_of(request)
        unevaluated = 0
        if caller.agency is not None:
            unevaluated = account_selectors.visible_stores(agency=caller.agency, caller=caller).filter(
                health__isnull=True).count()
        return {"colour_counts": counts, "all_stores_url": url, "unevaluated": unevaluated}

    @display(description=_("store"), ordering="store__name", header=True)
    def store_label(self, obj):
        return obj.store.name, f"{obj.store.seller_id} · {obj.store.client.name}"

    @display(description=_("health"), ordering=SEVERITY_ORDER,
             label={colour.value: tone for colour, tone in TONES.items()})
    def colour_label(self, obj):
        return obj.colour, obj.get_colour_display()

    @admin.display(description=_("worst metric"))
    def worst_reason(self, obj):
        if obj.colour not in (Colour.RED, Colour.YELLOW) or not obj.worst_metric:
            return "—"
        verdict = _stored_verdict(obj, obj.worst_metric)
        if verdict is None:
            return obj.get_worst_metric_display()
        return format_html('<span class="health-reason-text">{}</span>', verdict.reason)

    @admin.display(description=_("AHR"), ordering="ahr_score")
    def ahr(self, obj):
        return "—" if obj.ahr_score is None else obj.ahr_score

    @admin.display(description=_("since last week"))
    def trend(self, obj):
        found = trend_of(obj)
        if found is None:
            return "—"
        before = Colour(found.colour_before).label
        ahr = "" if found.ahr_change is None else gettext("AHR %(change)s") % {"change": f"{found.ahr_change:+d}"}
        if found.direction in DIRECTION_LABELS:
            # The colour changed: that is the news (a store that turned red is worse whatever its AHR did).
            title = gettext("%(direction)s: %(colour)s a week ago") % {
                "direction": DIRECTION_LABELS[found.direction], "colour": before}
            return format_html('<span class="health-trend health-trend-{}" title="{}">{} {}</span>'
                               '<span class="health-trend-ahr">{}</span>', found.direction, title, found.arrow,
                               gettext("was %(colour)s") % {"colour": before}, ahr)
        title = gettext("%(colour)s a week ago") % {"colour": before}
        return format_html('<span class="health-trend health-trend-same" title="{}">{}</span>', title, ahr or "—")

    @admin.display(description=_("data of"), ordering="date")
    def data_date(self, obj):
        return date_format(obj.date, "SHORT_DATE_FORMAT") if obj.date else "—"

    @admin.display(description=_("marketplace"), ordering="store__marketplace")
    def marketplace(self, obj):
        return obj.store.marketplace

    @admin.display(description=_("operators"))
    def operator_list(self, obj):
        return ", ".join(str(person) for person in obj.store.operators.all()) or "—"

    @admin.display(description=_("store"))
    def store_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:accounts_store_change", args=[obj.store_id]),
                           obj.store)

    # -- one store's health ----------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The store's health, read only: every metric's verdict and the trend charts."""
        health = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if health is not None:
            context.update(verdicts=evaluations_of(health),
                           health_panel=render_health_panel(request=request, store=health.store))
        return super().change_view(request, object_id, form_url, context)


def _stored_verdict(health, key):
    evaluations = health.evaluations or {}
    if isinstance(evaluations, dict):
        row = evaluations.get(key)
    else:
        row = next((row for row in evaluations if row.get("key") == key), None)
    return Evaluation.from_dict(row) if row else None
