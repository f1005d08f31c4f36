"""In the admin (/admin/), another agency's rows do not exist: every ModelAdmin, every object page, every role.

Object pages come from the URL resolver (``routes.admin_object_routes``: change, delete, history, the
simple-history version view, the password form, the old ``<id>/`` address); each is mapped back to its
ModelAdmin and model, and the model to a row of agency A through the registry. Audit-trail (historical)
models are registered in the admin too and are walked like the others.

Rows also travel in parameters: the autocomplete answers (one per autocomplete field of every admin form, found
by ``routes.autocomplete_fields``) and the changelists' actions (found by ``routes.admin_actions``), which take the
selected rows' ids, and, for an action with a page between the selection and the change, the page's choices.
"""

from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.test.utils import ContextList
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.platform.admin_site import site
from tests.factories import UserFactory

from .addresses import (
    admin_object_values,
    admin_url,
    admin_values_of_no_row,
    change_link,
    is_redirect_route,
    latest_version,
)
from .exposure import leaked
from .registry import (
    PLATFORM_ROWS,
    TENANT_ROWS,
    is_historical,
    is_registered,
    models_narrowed_for_operators,
    row_beyond_operator,
    row_of,
    unmapped_message,
)
from .routes import (
    UnmappedRoute,
    admin_actions,
    admin_object_routes,
    admin_site_object_routes,
    autocomplete_fields,
)

OBJECT_ROUTES = admin_object_routes()
SITE_OBJECT_ROUTES = admin_site_object_routes()
MODELS = list(site._registry)
AUTOCOMPLETE_FIELDS = autocomplete_fields(site)


def model_id(model):
    return model._meta.label


def route_id(route):
    return route.name or f"(nameless) {route.template}"


def state_of(row):
    with scopes_disabled():
        fresh = type(row)._base_manager.filter(pk=row.pk).first()
        return None if fresh is None else model_to_dict(fresh)


def someone_who_may_see(model, persona):
    """A's owner for A's rows; a platform superuser for the platform's rows."""
    if model in PLATFORM_ROWS:
        return UserFactory(email="platform@example.com", is_superuser=True)
    return persona.owner


def send(client, method, url):
    if method == "post":
        return client.post(url, {"post": "yes"})  # "yes" confirms a delete page
    return client.get(url)


def assert_not_found(client, method, url, where, *, nowhere=None):
    """A 404; for a POST, a page that takes no POST at all may say 405 instead, as it does for an id that
    exists nowhere (``nowhere``): refused before any row is looked up, it tells nothing."""
    answer = send(client, method, url)
    if method == "post" and answer.status_code == 405 and nowhere is not None:
        assert send(client, method, nowhere).status_code == 405, f"POST {url} {where}: 405 only for this row"
        return answer
    assert answer.status_code == 404, (
        f"{method.upper()} {url} {where}: {answer.status_code} {answer.get('Location', '')}, expected 404")
    return answer


def routes_of(model):
    return [route for route in OBJECT_ROUTES if route.model_admin.model is model]


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_admin_page_of_another_agencys_row_is_not_found(model, agency_a, agency_b, client_as, staff_of_b,
                                                              strings_of_a):
    """Change, delete, history, a version, the password form...: whatever pages the resolver has for one row of
    ``model``, each is a 404 to every member of B for A's row (GET, and a POST by B's owner and viewer)."""
    routes = routes_of(model)
    assert routes, f"the admin of {model_id(model)} has no page of one row: the walker found nothing to test"
    row = row_of(model, agency_a, what=f"the admin of {model_id(model)}")
    own_agency = client_as(someone_who_may_see(model, agency_a))
    before = state_of(row)

    for route in routes:
        url = route.url(admin_object_values(route, row))
        nowhere = route.url({**admin_object_values(route, row), **admin_values_of_no_row(route, model)})
        assert own_agency.get(url, follow=True).status_code != 404, (
            f"{route.label}: {url} is a 404 for agency A itself, so B's 404 would prove nothing")
        for role, client in staff_of_b:
            where = f"({route.label}) as agency B's {role}"
            if is_redirect_route(route):
                # The old ``<id>/`` address redirects to the change form for any id, existing or not, so the
                # redirect itself tells nothing; where it lands must be a 404.
                answer = client.get(url, follow=True)
                assert answer.redirect_chain[-1][0] == admin_url(model, "change", quote(row.pk)), where
                assert answer.status_code == 404, f"GET {url} {where} lands on {answer.status_code}, expected 404"
                continue
            methods = ("get", "post") if role in ("owner", "viewer") else ("get",)
            for method in methods:
                answer = assert_not_found(client, method, url, where, nowhere=nowhere)
                assert not leaked(answer.content.decode(), strings_of_a), f"{method.upper()} {url} {where}"

        if (route.pattern.name or "").endswith("_simple_history"):
            # B's own row with the id of a version of A's row: the version is A's, so still not found.
            own = row_of(model, agency_b, what=route.label)
            mixed = route.url({0: quote(own.pk), 1: latest_version(row).history_id})
            for role, client in staff_of_b:
                assert_not_found(client, "get", mixed, f"({route.label}, B's row, A's version) as B's {role}")

    assert state_of(row) == before, f"agency B changed or deleted agency A's {model_id(model)}"


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_lists_and_forms_of_one_agency_show_nothing_of_another(model, agency_a, agency_b, client_as, staff_of_b,
                                                               strings_of_a):
    """B's changelist, as each member of B, neither links nor names A's row (nor anything else of A); the add
    form and the change form of B's own row offer no choice of A either."""
    row_a = row_of(model, agency_a, what=f"the admin of {model_id(model)}")
    # B's own row exists before B's people look, so that their lists are shown to have rows at all.
    row_b = None if model in PLATFORM_ROWS else row_of(model, agency_b, what=f"the admin of {model_id(model)}")
    url = admin_url(model, "changelist")
    seen = {}
    for role, client in staff_of_b:
        answer = client.get(url)
        where = f"GET {url} as agency B's {role}"
        assert answer.status_code in (200, 403), f"{where}: {answer.status_code}"
        if model in PLATFORM_ROWS:
            # No agency owns these rows: the whole list is the platform superusers' (see the registry).
            assert answer.status_code == 403, f"{where}: agency staff may not list {PLATFORM_ROWS[model].reason}"
        seen[role] = page = answer.content.decode()
        assert change_link(row_a) not in page, f"{where} links agency A's row"
        assert not leaked(page, strings_of_a), f"{where} shows agency A's {leaked(page, strings_of_a)}"
    if model in PLATFORM_ROWS:
        return

    # The lists do show rows: each agency's owner finds their own row where B's people found none of A's.
    assert change_link(row_a) in client_as(agency_a.owner).get(url).content.decode(), f"{url}: A's owner"
    assert change_link(row_b) in seen["owner"], f"{url}: B's owner does not see B's own row"

    forms = [change_link(row_b)] if is_historical(model) else [admin_url(model, "add"), change_link(row_b)]
    owner = client_as(agency_b.owner)
    opened = 0
    for form in forms:
        answer = owner.get(form, follow=True)  # adding a member is inviting them: the form is one step on
        where = f"GET {form} as agency B's owner"
        assert answer.status_code in (200, 403), f"{where}: {answer.status_code}"
        opened += answer.status_code == 200
        assert not leaked(answer.content.decode(), strings_of_a), (
            f"{where} offers agency A's {leaked(answer.content.decode(), strings_of_a)}")
    assert opened, f"no form of {model_id(model)} opens for B's owner, so no choice list was checked"


def test_the_admin_home_of_one_agency_names_nothing_of_another(client_as, agency_b, staff_of_b, strings_of_a):
    for role, client in staff_of_b:
        for url in (reverse("admin:index"), reverse("admin:app_list", args=["accounts"])):
            answer = client.get(url)
            assert answer.status_code == 200, f"GET {url} as agency B's {role}: {answer.status_code}"
            assert not leaked(answer.content.decode(), strings_of_a), f"GET {url} as agency B's {role}"


@pytest.mark.parametrize("route", SITE_OBJECT_ROUTES, ids=route_id)
def test_site_wide_object_addresses_do_not_reach_another_agencys_rows(route, agency_a, staff_of_b):
    """``view_on_site`` (``r/<content_type_id>/<object_id>/``) takes any model's row: for every registered
    model, A's row is a 404 to B's people rather than a redirect to it."""
    if set(route.parameters) != {"content_type_id", "object_id"}:
        raise UnmappedRoute(f"{route.label}: " + unmapped_message("a site-wide admin route with other parameters"))
    for model in MODELS:
        row = row_of(model, agency_a, what=route.label)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        url = route.url({"content_type_id": content_type.pk, "object_id": quote(row.pk)})
        for role, client in staff_of_b:
            assert_not_found(client, "get", url, f"as agency B's {role}")


# -- autocomplete answers -----------------------------------------------------------------------------------
def field_id(field):
    return field.label


def offered_ids(answer):
    """The ids an autocomplete answer offers, as it writes them (strings)."""
    return {item["id"] for item in answer.json()["results"]}


def ids_in_agency(model, persona):
    """The ids (strings) of every row of ``model`` that is the persona's agency's alone: its tenant rows, the
    agency itself, or its people (who belong to no other agency)."""
    with scopes_disabled():
        if model is type(persona.agency):
            ids = [persona.agency.pk]
        elif model is get_user_model():
            ids = [person.pk for person in persona.staff.values()]
        else:
            ids = model._base_manager.filter(agency=persona.agency).values_list("pk", flat=True)
        return {str(pk) for pk in ids}


def search_term_of(row):
    """What a person would type to find ``row``: its name, else its email, else how it reads."""
    return getattr(row, "name", None) or getattr(row, "email", None) or str(row)


def autocomplete(client, field, term=""):
    return client.get(reverse("admin:autocomplete"), field.parameters(term))


@pytest.mark.parametrize("field", AUTOCOMPLETE_FIELDS, ids=field_id)
def test_no_autocomplete_offers_another_agencys_rows(field, agency_a, agency_b, client_as, staff_of_b, strings_of_a):
    """Each autocomplete field of every admin form (``routes.autocomplete_fields``), asked by every member of B,
    with no term and with the name of A's row: none of A's rows is offered, and nothing names A. A's owner is
    offered A's row and B's owner B's, so the answers are shown to list rows at all."""
    related = field.related_model
    row_a = row_of(related, agency_a, what=f"the autocomplete of {field.label}")
    row_b = row_of(related, agency_b, what=f"the autocomplete of {field.label}")
    own = autocomplete(client_as(agency_a.owner), field)
    assert own.status_code == 200, f"{field.label}: the autocomplete does not answer agency A's owner"
    assert str(row_a.pk) in offered_ids(own), f"{field.label}: A's owner is not offered A's row"

    ids_of_a = ids_in_agency(related, agency_a)
    for term in ("", search_term_of(row_a)):
        for role, client in staff_of_b:
            answer = autocomplete(client, field, term)
            where = f"GET /admin/autocomplete/?{urlencode(field.parameters(term))} as agency B's {role}"
            assert answer.status_code in (200, 403), f"{where}: {answer.status_code}"
            assert not leaked(answer.content.decode(), strings_of_a), f"{where} names agency A"
            if answer.status_code == 200:
                assert not offered_ids(answer) & ids_of_a, f"{where} offers agency A's rows"
    assert str(row_b.pk) in offered_ids(autocomplete(client_as(agency_b.owner), field)), (
        f"{field.label}: B's owner is not offered B's own row")


@pytest.mark.parametrize(
    "field", [field for field in AUTOCOMPLETE_FIELDS if field.related_model in models_narrowed_for_operators()],
    ids=field_id)
def test_no_autocomplete_offers_an_operator_a_row_beyond_their_stores(field, agency_a, client_as):
    """Inside agency A, an autocomplete of rows that hang off stores offers an operator those of their stores:
    never the row of a store nobody assigned to them, not even when they type its name."""
    related = field.related_model
    beyond = row_beyond_operator(related, agency_a)
    visible = row_of(related, agency_a, what=f"the autocomplete of {field.label}")
    for role in ("operator", "idle_operator"):
        client = client_as(agency_a.staff[role])
        for term in ("", search_term_of(beyond)):
            answer = autocomplete(client, field, term)
            where = f"GET /admin/autocomplete/?{urlencode(field.parameters(term))} as agency A's {role}"
            assert answer.status_code in (200, 403), f"{where}: {answer.status_code}"
            if answer.status_code == 200:
                assert str(beyond.pk) not in offered_ids(answer), f"{where} offers a row beyond their stores"
    answer = autocomplete(client_as(agency_a.operator), field)
    if answer.status_code == 200:
        assert str(visible.pk) in offered_ids(answer), f"{field.label}: the operator is not offered their own row"


# -- actions ------------------------------------------------------------------------------------------------
def state_of_agency(persona):
    """Every row of the persona's agency in the registry's models, and its people, and how many rows of the
    agency every model of the admin holds (audit trails included): what no other agency's action may change."""
    state = {}
    with scopes_disabled():
        for model in TENANT_ROWS:
            rows = model._base_manager.filter(pk__in=ids_in_agency(model, persona)).order_by("pk")
            state[model._meta.label] = [model_to_dict(row) for row in rows]
        for model in MODELS:
            if "agency" in {field.name for field in model._meta.fields}:
                state[f"rows of {model._meta.label}"] = model._base_manager.filter(agency=persona.agency).count()
    return state


def forms_on(answer):
    """The forms a page was rendered with (an action's page between the selection and the change)."""
    contexts = answer.context
    if contexts is None:
        return []
    if not isinstance(contexts, ContextList):
        contexts = [contexts]
    found = []
    for context in contexts:
        for values in context.dicts:
            found += [value for value in values.values() if isinstance(value, forms.BaseForm) and value not in found]
    return found


def choices_pointing_at(answer, persona):
    """Form data that points every choice of a row on the page's forms at the persona's row of its model."""
    data = {}
    for form in forms_on(answer):
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and is_registered(field.queryset.model):
                data[form.add_prefix(name)] = row_of(field.queryset.model, persona).pk
    return data


def check_answer(answer, where, strings_of_a):
    assert answer.status_code in (200, 403, 404), f"{where}: {answer.status_code}"
    assert not leaked(answer.content.decode(), strings_of_a), (
        f"{where} shows agency A's {leaked(answer.content.decode(), strings_of_a)}")


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_no_admin_action_of_one_agency_reaches_another_agencys_rows(model, agency_a, agency_b, client_as, staff_of_b,
                                                                   strings_of_a):
    """Every action of ``model``'s list (what ``get_actions`` offers A's owner: ``routes.admin_actions``), sent by
    every member of B with A's row selected, alone and next to B's own row. An action with a page between the
    selection and the change is confirmed too: once with the page's choices pointing at A's rows (forged), once
    at B's. Nothing of agency A changes, no answer names A, none is a server error."""
    row_a = row_of(model, agency_a, what=f"the actions of the admin of {model_id(model)}")
    row_b = None if model in PLATFORM_ROWS else row_of(model, agency_b, what=f"the admin of {model_id(model)}")
    owner_request = client_as(someone_who_may_see(model, agency_a)).get(reverse("admin:index")).wsgi_request
    actions = admin_actions(site._registry[model], owner_request)
    before, agency_before = state_of(row_a), state_of_agency(agency_a)
    url = admin_url(model, "changelist")
    selections = [[row_a.pk]] + ([[row_b.pk, row_a.pk]] if row_b is not None else [])

    for name in actions:
        for role, client in staff_of_b:
            for selected in selections:
                chosen = {"action": name, ACTION_CHECKBOX_NAME: selected}
                where = f"POST {url} action {name!r} on {selected} as agency B's {role}"
                page = client.post(url, {**chosen, "index": 0}, follow=True)
                check_answer(page, where, strings_of_a)
                for persona in (agency_a, agency_b):
                    confirmed = client.post(url, {**chosen, "post": "yes", **choices_pointing_at(page, persona)},
                                            follow=True)
                    check_answer(confirmed, f"{where}, confirmed with {persona.agency.name}'s choices", strings_of_a)

    assert state_of(row_a) == before, f"an action of agency B changed agency A's {model_id(model)}"
    assert state_of_agency(agency_a) == agency_before, f"an action on {model_id(model)} by B changed agency A"
