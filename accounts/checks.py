"""System checks of what the apps contribute: a mistake is reported by ``manage.py check`` (and at start-up),
not as a 500 on the first request that meets it."""

from django.core import checks

from .filters import store_filterset


@checks.register()
def contributed_store_filters(app_configs, **kwargs):
    """The store filters contributed through the extension seam fit the store list (no name taken twice)."""
    try:
        store_filterset()
    except ValueError as error:
        return [checks.Error(str(error), hint="Rename the contributed filter.", id="accounts.E001")]
    return []
