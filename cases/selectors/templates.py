"""Reads of the template library, the agency's case categories and its case and chat policy.

Templates and categories belong to the agency, not to a store: everyone of the agency reads them all (an operator
too: they write to Amazon for their stores with the agency's templates).
"""

from django.db.models import OuterRef, Prefetch, Subquery

from .. import categories
from ..models import CaseCategory, CasePolicy, MessageTemplate, MessageTemplateVersion


def policy_of(*, agency):
    """The agency's ``CasePolicy``: its row, or an unsaved one with the defaults (DOMAIN.md's numbers) while the
    agency never changed them. Reading never writes."""
    return CasePolicy.objects.filter(agency=agency).first() or CasePolicy(agency=agency)


def case_categories(*, agency):
    """Every category an agency's case, chat or template may name, by code: the built-in ones first, in the
    registry's order, then the agency's own by name (``categories.CaseCategory`` with ``built_in`` false, its
    ``label`` the agency's name for it)."""
    found = {category.code: category for category in categories.all_built_in()}
    for own in CaseCategory.objects.filter(agency=agency).order_by("name", "pk"):
        found.setdefault(own.code, categories.CaseCategory(own.code, own.name, built_in=False))
    return found


def category_label(*, agency, code):
    """The label of the category ``code`` for the agency: a built-in one's (in the reader's language), the agency's
    own name for one of its own; the code itself when there is no such category (a category removed since)."""
    built_in = categories.built_in(code)
    if built_in is not None:
        return built_in.label
    own = CaseCategory.objects.filter(agency=agency, code=code).values_list("name", flat=True).first()
    return own or code


def with_category_name(rows, *, agency):
    """``rows`` (cases, chats or templates: a queryset with a ``category`` code) annotated with ``category_name``,
    the agency's own category's name (``None`` for a built-in one), in the same query; ``category_shown`` reads it."""
    names = CaseCategory.objects.filter(agency=agency, code=OuterRef("category")).values("name")[:1]
    return rows.annotate(category_name=Subquery(names))


def category_shown(row):
    """The label of ``row``'s category as a list shows it: a built-in one's (in the reader's language), the agency's
    own name (``with_category_name``), else the code itself (a category removed since)."""
    built_in = categories.built_in(row.category)
    if built_in is not None:
        return built_in.label
    return getattr(row, "category_name", None) or row.category


def with_current_version(templates):
    """``templates`` (a queryset of one agency's templates) with their versions, newest first, read in one more
    query (``current_version`` then reads no more)."""
    newest = MessageTemplateVersion.objects.order_by("template_id", "-number")
    return templates.prefetch_related(Prefetch("versions", queryset=newest, to_attr="versions_newest_first"))


def template_list(*, agency):
    """The agency's templates, each with its versions (``current_version``), in the library's order (category,
    language, name); two queries whatever the number of templates."""
    return with_current_version(MessageTemplate.objects.filter(agency=agency))


def current_version(template):
    """The template's newest version (``None`` if it has none), from ``template_list``'s prefetch when there."""
    versions = getattr(template, "versions_newest_first", None)
    if versions is not None:
        return versions[0] if versions else None
    return MessageTemplateVersion.objects.filter(agency=template.agency_id, template=template).order_by(
        "-number").first()


def template_versions(*, agency, template):
    """Every version of ``template``, newest first, with who wrote it."""
    return (MessageTemplateVersion.objects.filter(agency=agency, template=template).select_related("created_by")
            .order_by("-number"))
