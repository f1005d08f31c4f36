"""The Seller Support API routes (/api/v1/...): each group of endpoints keeps its own module and routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("cases.api.cases")),
    path("", include("cases.api.chats")),
    path("", include("cases.api.templates")),
]
