"""The admin's sidebar: groups of links by what people do, contributed by each app through the extension seam.

An app contributes ``NavigationGroup`` rows to ``accounts.extensions.admin_navigation``; the groups are shown in
their ``order`` (Stores 10, Health 20, Alerts 30, Cases and chats 40, Documents 50, Monthly review 60, Settings
900; the audit trails, 1000, and the platform's records, 1100, are gathered by the site itself). An item links to
a model's list or to a named admin URL, and is shown only to whom that page lets in: the model admin's
``has_module_permission`` decides, so that the sidebar never offers a page that answers 403 or 404.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

AUDIT_TRAIL_ORDER = 1000
PLATFORM_ORDER = 1100


@dataclass(frozen=True)
class NavigationItem:
    """A link: to ``model``'s list (``"app_label.ModelName"``) or to the admin URL named ``url_name``.

    ``permission(request) -> bool`` narrows an item that is not a model's list (a model's list follows its
    admin's permission)."""

    title: str
    icon: str
    model: str = ""
    url_name: str = ""
    permission: object = None


@dataclass(frozen=True)
class NavigationGroup:
    title: str
    order: int
    items: tuple = field(default_factory=tuple)


def sidebar(*, admin_site, request, groups):
    """The sidebar of ``request``'s person: ``groups`` in order, each with the items they may open, in the shape
    the theme's sidebar template reads. Groups with nothing left are dropped."""
    result = []
    for group in sorted(groups, key=lambda group: group.order):
        items = [entry for entry in (_entry(admin_site, request, item) for item in group.items) if entry]
        if items:
            result.append({"title": group.title, "separator": bool(result), "collapsible": False, "items": items})
    return result


def _entry(admin_site, request, item):
    link = _link(admin_site, request, item)
    if link is None:
        return None
    path = request.path
    index = reverse(f"{admin_site.name}:index")
    active = path == link if link == index else path.startswith(link)
    return {"title": item.title, "icon": item.icon, "link": link, "active": active, "has_permission": True}


def _link(admin_site, request, item):
    if item.model:
        model_admin = _model_admin(admin_site, item.model)
        if model_admin is None or not model_admin.has_module_permission(request):
            return None
        if not (model_admin.has_view_permission(request) or model_admin.has_change_permission(request)):
            return None
        opts = model_admin.model._meta
        return reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
    if item.permission is not None and not item.permission(request):
        return None
    try:
        return reverse(f"{admin_site.name}:{item.url_name}")
    except NoReverseMatch:
        return None


def _model_admin(admin_site, label):
    for model, model_admin in admin_site._registry.items():
        if model._meta.label == label:
            return model_admin
    return None


def model_items(admin_site, predicate, icon, title=lambda model: model._meta.verbose_name_plural):
    """An item for every registered model whose admin satisfies ``predicate``, by title (the audit trails, the
    platform's records)."""
    chosen = [model for model, model_admin in admin_site._registry.items() if predicate(model_admin)]
    items = [NavigationItem(title=capfirst(title(model)), icon=icon, model=model._meta.label) for model in chosen]
    return tuple(sorted(items, key=lambda item: str(item.title)))
