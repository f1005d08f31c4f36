"""The REST API (/api/v1/): every app's API routes, in one list."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
]
