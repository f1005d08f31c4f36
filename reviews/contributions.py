"""What the monthly review contributes through the extension seam (``accounts.extensions``): the sidebar's Monthly
review group (the board, the reviews, the cycles, the checklist and the policy), the overview's "Reviews due", the
daily digest's section of overdue reviews, and the demo's last month under review."""

from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem

from . import demo, digest, overview

extensions.admin_navigation.contribute(NavigationGroup(title=_("Monthly review"), order=60, items=(
    NavigationItem(title=_("Review board"), icon="dashboard", url_name="reviews_storereview_board"),
    NavigationItem(title=_("Store reviews"), icon="fact_check", model="reviews.StoreReview"),
    NavigationItem(title=_("Review cycles"), icon="event_repeat", model="reviews.ReviewCycle"),
    NavigationItem(title=_("Checklist"), icon="checklist", model="reviews.ChecklistVersion"),
    NavigationItem(title=_("Review policy"), icon="tune", model="reviews.ReviewPolicy"),
)))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=50, render=overview.render_reviews_due))
extensions.digest_sections.contribute(digest.section)
extensions.demo_data.contribute(demo.load)  # last: it opens a month of every other app's demo data
