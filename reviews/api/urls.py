"""The monthly review's API routes (/api/v1/...): each group of endpoints keeps its own module and routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("reviews.api.reviews")),
    path("", include("reviews.api.reports")),
]
