import json

from django_scopes import scopes_disabled

from accounts.models import Client


def test_a_json_body_over_the_upload_limit_is_a_413_and_writes_nothing(agency_a, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "Big client", "notes": "x" * 2000})
    response = api_as(agency_a.rw_header).post("/api/v1/clients/", body, content_type="application/json")
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    with scopes_disabled():
        assert not Client.objects.filter(name="Big client").exists()


def test_a_json_body_under_the_limit_is_accepted(agency_a, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "Small client", "notes": "x" * 100})
    response = api_as(agency_a.rw_header).post("/api/v1/clients/", body, content_type="application/json")
    assert response.status_code == 201
