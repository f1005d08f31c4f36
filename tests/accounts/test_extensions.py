"""The extension seam (``accounts.extensions``): how installed apps contribute to the points, and what the store
list of the API and the store's admin page do with what was contributed."""

import importlib
import sys
import textwrap

import django_filters
import pytest
from django.apps import AppConfig
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test.utils import override_settings
from django.urls import reverse
from django.utils.html import format_html
from django_scopes import scopes_disabled

from accounts import demo, extensions
from accounts.filters import store_filterset
from accounts.models import Store
from tests.factories import StoreFactory

# -- discovery ---------------------------------------------------------------------------------------------------


@pytest.fixture
def throwaway_apps(tmp_path, monkeypatch):
    """``write(path, source)`` adds a file under a directory on ``sys.path``, to build throwaway apps with.

    Discovery is reset for the test (the installed apps' contributions stay imported) and the throwaway
    modules are forgotten afterwards, so that neither leaks into another test."""
    extensions.discover()  # the real apps' contributions are in, whatever ran before
    monkeypatch.setattr(extensions, "_discovered", False)
    monkeypatch.syspath_prepend(str(tmp_path))
    top_level = set()

    def write(path, source=""):
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(source))
        top_level.add(path.split("/")[0].removesuffix(".py"))

    yield write
    for name in list(sys.modules):
        if name.split(".")[0] in top_level:
            del sys.modules[name]


@pytest.fixture
def probe_point(throwaway_apps):
    """``probe_points.probe``: an extension point the throwaway apps contribute their names to."""
    throwaway_apps("probe_points.py", """
        from accounts.extensions import ExtensionPoint

        probe = ExtensionPoint("probe", "the name of the app that contributed it")
    """)
    throwaway_apps("goodapp/__init__.py")
    throwaway_apps("goodapp/contributions.py", """
        import probe_points

        probe_points.probe.contribute("goodapp")
    """)
    throwaway_apps("otherapp/__init__.py")
    throwaway_apps("otherapp/contributions.py", """
        import probe_points

        probe_points.probe.contribute("otherapp")
    """)
    throwaway_apps("plainapp/__init__.py")  # an app with no contributions module at all
    return importlib.import_module("probe_points").probe


def test_installed_apps_contribute_in_installed_apps_order_and_an_app_without_contributions_adds_nothing(
        probe_point):
    with override_settings(INSTALLED_APPS=["otherapp", "plainapp", "goodapp"]):
        assert probe_point.contributions() == ("otherapp", "goodapp")


def test_an_app_that_is_not_installed_contributes_nothing(probe_point):
    with override_settings(INSTALLED_APPS=["plainapp", "goodapp"]):
        assert probe_point.contributions() == ("goodapp",)


def test_a_contributions_module_that_fails_to_import_a_package_makes_discovery_raise_not_skip(
        throwaway_apps, probe_point):
    throwaway_apps("brokenapp/__init__.py")
    throwaway_apps("brokenapp/contributions.py", """
        import no_such_package_xyz  # noqa: F401
    """)

    with override_settings(INSTALLED_APPS=["goodapp", "brokenapp"]):
        with pytest.raises(ModuleNotFoundError, match="no_such_package_xyz"):
            extensions.discover()
        # A failed discovery is not remembered as done: the next read raises again rather than answer with
        # the contributions of the apps that came before the broken one.
        with pytest.raises(ModuleNotFoundError, match="no_such_package_xyz"):
            probe_point.contributions()


def test_a_contributions_module_with_any_other_error_makes_discovery_raise(throwaway_apps):
    throwaway_apps("typoapp/__init__.py")
    throwaway_apps("typoapp/contributions.py", """
        from accounts import extensions

        extensions.no_such_point.contribute(print)
    """)

    with override_settings(INSTALLED_APPS=["typoapp"]):
        with pytest.raises(AttributeError, match="no_such_point"):
            extensions.discover()


def test_import_contributions_imports_the_modules_that_exist_and_stops_at_a_broken_one(
        throwaway_apps, probe_point):
    throwaway_apps("brokenapp/__init__.py")
    throwaway_apps("brokenapp/contributions.py", """
        import no_such_package_xyz  # noqa: F401
    """)
    plain, good, broken = (AppConfig.create(name) for name in ("plainapp", "goodapp", "brokenapp"))

    modules = extensions.import_contributions([plain, good])

    assert [module.__name__ for module in modules] == ["goodapp.contributions"]
    with pytest.raises(ModuleNotFoundError, match="no_such_package_xyz"):
        extensions.import_contributions([plain, broken])


def test_the_accounts_apps_demo_data_loads_first():
    assert extensions.demo_data.contributions()[0] is demo.load


# -- contributing ------------------------------------------------------------------------------------------------


def test_contribute_returns_the_item_so_that_it_works_as_a_decorator():
    point = extensions.ExtensionPoint("probe", "a callable")

    @point.contribute
    def section():
        return "the section"

    assert section() == "the section"
    assert point.contributions() == (section,)
    assert point.contribute("second") == "second"
    assert point.contributions() == (section, "second")


def test_contributed_adds_the_item_only_inside_the_block():
    before = extensions.store_panels.contributions()
    panel = extensions.StorePanel(title="Probe panel", render=lambda *, request, store: "")

    with extensions.store_panels.contributed(panel) as contributed:
        assert contributed is panel
        assert extensions.store_panels.contributions() == (*before, panel)

    assert extensions.store_panels.contributions() == before


def test_contributed_removes_the_item_when_the_block_raises():
    before = extensions.store_panels.contributions()
    panel = extensions.StorePanel(title="Probe panel", render=lambda *, request, store: "")

    with pytest.raises(RuntimeError, match="inside the block"):
        with extensions.store_panels.contributed(panel):
            raise RuntimeError("inside the block")

    assert extensions.store_panels.contributions() == before


# -- store filters -----------------------------------------------------------------------------------------------


def _by_notes(queryset, name, value):
    return queryset.exclude(notes="") if value else queryset.filter(notes="")


def has_notes_filter():
    return ("has_notes", django_filters.BooleanFilter(method=_by_notes, label="has notes"))


@pytest.fixture
def stores_with_and_without_notes(agency_a, agency_b):
    """A's two persona stores have notes, a third store of A has none; B has a store with notes too."""
    with scopes_disabled():
        Store.objects.filter(pk__in=[agency_a.assigned_store.pk, agency_a.other_store.pk]).update(
            notes="Seasonal range.")
    StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Quiet store A", notes="")
    StoreFactory(agency=agency_b.agency, client=agency_b.client, name="Noted store B", notes="Watch it.")


def store_names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_a_contributed_store_filter_narrows_a_keys_store_list_within_its_agency(
        stores_with_and_without_notes, agency_a, api_as):
    api = api_as(agency_a.rw_header)

    with extensions.store_filters.contributed(has_notes_filter()):
        with_notes = api.get(reverse("api:store-list"), {"has_notes": "true"})
        without_notes = api.get(reverse("api:store-list"), {"has_notes": "false"})

    assert store_names(with_notes) == ["Assigned store A", "Unassigned store A"]
    assert store_names(without_notes) == ["Quiet store A"]


def test_a_contributed_store_filter_narrows_an_operators_list_within_their_assigned_stores(
        stores_with_and_without_notes, agency_a, api_as):
    api = api_as(agency_a.operator)

    with extensions.store_filters.contributed(has_notes_filter()):
        with_notes = api.get(reverse("api:store-list"), {"has_notes": "true"})
        without_notes = api.get(reverse("api:store-list"), {"has_notes": "false"})

    assert store_names(with_notes) == ["Assigned store A"]
    assert store_names(without_notes) == []


def test_the_store_list_ignores_the_parameter_once_the_filter_is_no_longer_contributed(
        stores_with_and_without_notes, agency_a, api_as):
    response = api_as(agency_a.rw_header).get(reverse("api:store-list"), {"has_notes": "true"})

    assert store_names(response) == ["Assigned store A", "Quiet store A", "Unassigned store A"]


def store_list_parameters(api):
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    return {parameter["name"] for parameter in response.json()["paths"]["/api/v1/stores/"]["get"]["parameters"]}


def test_the_schema_lists_a_contributed_store_filter_while_it_is_contributed(agency_a, api_as):
    api = api_as(agency_a.rw_header)

    with extensions.store_filters.contributed(has_notes_filter()):
        during = store_list_parameters(api)
    after = store_list_parameters(api)

    assert "has_notes" in during
    assert "has_notes" not in after
    assert {"status", "marketplace"} <= during & after


def test_a_contributed_store_filter_under_a_name_the_list_has_already_is_refused():
    clash = ("status", django_filters.BooleanFilter(method=_by_notes))

    with extensions.store_filters.contributed(clash):
        with pytest.raises(ValueError, match=r"already: \['status'\]"):
            store_filterset()
        # ...and ``manage.py check`` says so before any request meets it.
        with pytest.raises(SystemCheckError, match=r"accounts.E001.*already: \['status'\]"):
            call_command("check")
    call_command("check")


# -- store panels ------------------------------------------------------------------------------------------------


def test_a_contributed_store_panel_shows_on_the_stores_admin_page_with_that_store(agency_a, client_as):
    rendered_for = []

    def render(*, request, store):
        rendered_for.append((request.user, store.pk))
        return format_html("<p id='probe'>{}</p>", store.name)

    store = agency_a.other_store
    with extensions.store_panels.contributed(extensions.StorePanel(title="Probe panel", render=render)):
        response = client_as(agency_a.owner).get(reverse("admin:accounts_store_change", args=[store.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Probe panel</h2>" in page
    assert "<p id='probe'>Unassigned store A</p>" in page
    assert rendered_for == [(agency_a.owner, store.pk)]


def test_the_store_panel_is_gone_from_the_page_once_it_is_no_longer_contributed(agency_a, client_as):
    response = client_as(agency_a.owner).get(
        reverse("admin:accounts_store_change", args=[agency_a.other_store.pk]))

    assert response.status_code == 200
    assert "Probe panel" not in response.content.decode()
