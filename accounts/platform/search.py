"""How much one search may ask, for the API's ``?search=`` and the admin's search box alike: every term is a
condition on every searched column, so the number of terms is bounded."""

from django.utils.translation import gettext as _

#: The most terms one search takes.
MAX_SEARCH_TERMS = 10


def search_terms_error(count):
    """The message refusing a search of ``count`` terms; ``None`` when it may run."""
    if count <= MAX_SEARCH_TERMS:
        return None
    return _("At most %(limit)d search terms are allowed; this search has %(count)d.") % {
        "limit": MAX_SEARCH_TERMS, "count": count}
