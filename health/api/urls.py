"""The health app's API routes (/api/v1/...): each group of endpoints keeps its own module and routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("health.api.bulk")),
    path("", include("health.api.reports")),
    path("", include("health.api.reading")),
]
