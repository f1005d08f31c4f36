"""The language of the API's answers: an API key speaks its agency's default language unless the request asks
for another the product offers (Accept-Language); a signed-in person keeps their own language, as in the admin."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Agency

ABSENT_STORE = "/api/v1/stores/999999999/"
NOT_FOUND = {"en": "Not found.", "zh-hans": "未找到。"}


def set_default_language(persona, language):
    Agency.objects.filter(pk=persona.agency.pk).update(default_language=language)


def key_client(header, **headers):
    client = APIClient(**headers)  # no Accept-Language unless given
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_key_whose_request_names_no_language_gets_its_agencys_default_language(agency_a, language):
    set_default_language(agency_a, language)
    answer = key_client(agency_a.rw_header).get(ABSENT_STORE)
    assert answer.json() == {"detail": NOT_FOUND[language]}
    assert answer["Content-Language"] == language


@pytest.mark.parametrize(("default", "asked"), [("zh-hans", "en"), ("en", "zh-hans"), ("zh-hans", "en-US,en;q=0.8"),
                                                ("en", "fr-FR, zh-CN;q=0.7")])
def test_a_key_whose_request_asks_for_a_language_gets_that_language(agency_a, default, asked):
    set_default_language(agency_a, default)
    answer = key_client(agency_a.rw_header, HTTP_ACCEPT_LANGUAGE=asked).get(ABSENT_STORE)
    wanted = "zh-hans" if "zh" in asked else "en"
    assert answer.json() == {"detail": NOT_FOUND[wanted]}


@pytest.mark.parametrize("asked", ["fr", "*", "de-DE, ja;q=0.5"])
def test_a_key_asking_only_for_languages_the_product_lacks_gets_its_agencys_default(agency_a, asked):
    set_default_language(agency_a, "en")
    answer = key_client(agency_a.rw_header, HTTP_ACCEPT_LANGUAGE=asked).get(ABSENT_STORE)
    assert answer.json() == {"detail": NOT_FOUND["en"]}


def test_the_agencys_default_language_is_that_of_field_errors_too(agency_a):
    set_default_language(agency_a, "zh-hans")
    answer = key_client(agency_a.rw_header).post("/api/v1/stores/", {}, format="json")
    assert answer.status_code == 400
    assert answer.json()["name"] == ["该字段是必填项。"]


def test_each_agencys_key_speaks_its_own_agencys_language(agency_a, agency_b):
    set_default_language(agency_a, "en")
    set_default_language(agency_b, "zh-hans")
    assert key_client(agency_a.rw_header).get(ABSENT_STORE).json() == {"detail": NOT_FOUND["en"]}
    assert key_client(agency_b.rw_header).get(ABSENT_STORE).json() == {"detail": NOT_FOUND["zh-hans"]}


@pytest.mark.parametrize("asked", [None, "zh-hans"])
def test_a_signed_in_person_keeps_their_own_language_over_the_agencys_and_the_header(agency_a, asked):
    set_default_language(agency_a, "zh-hans")
    agency_a.manager.language = "en"
    agency_a.manager.save(update_fields=["language"])
    client = APIClient(**({"HTTP_ACCEPT_LANGUAGE": asked} if asked else {}))
    client.force_login(agency_a.manager, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(ABSENT_STORE).json() == {"detail": NOT_FOUND["en"]}


def test_a_signed_in_person_without_a_language_of_their_own_gets_the_agencys(agency_a):
    set_default_language(agency_a, "en")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(agency_a.viewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(ABSENT_STORE).json() == {"detail": NOT_FOUND["en"]}
