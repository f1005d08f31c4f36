"""What the Seller Support app contributes through the extension seam (``accounts.extensions``): the sidebar's
Seller Support group, the overview's "Cases to follow up", the store page's Seller Support panel (may it chat now,
its open cases and latest chats), the daily digest's section of cases to follow up, and the demo's cases, chats and
starter templates."""

from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem

from . import demo, digest, overview
from .panels import render_seller_support_panel

extensions.admin_navigation.contribute(NavigationGroup(title=_("Seller Support"), order=40, items=(
    NavigationItem(title=_("Cases"), icon="support_agent", model="cases.SupportCase"),
    NavigationItem(title=_("HR chats"), icon="forum", model="cases.ChatSession"),
    NavigationItem(title=_("Chat channels"), icon="toggle_on", model="cases.StoreChatChannel"),
    NavigationItem(title=_("Chat freezes lifted"), icon="lock_open", model="cases.ChatFreezeLift"),
    NavigationItem(title=_("Message templates"), icon="description", model="cases.MessageTemplate"),
    NavigationItem(title=_("Case categories"), icon="category", model="cases.CaseCategory"),
    NavigationItem(title=_("Case and chat policy"), icon="tune", model="cases.CasePolicy"),
)))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=30, render=overview.render_cases_to_follow_up))
extensions.digest_sections.contribute(digest.section)
extensions.demo_data.contribute(demo.load)  # after the documents' and the alerts' demo: it links to their rows
extensions.store_panels.contribute(extensions.StorePanel(title=_("Seller Support"), render=render_seller_support_panel))
