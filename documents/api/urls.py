"""The document library's API routes (/api/v1/...): each group of endpoints keeps its own module and routes. The
trash and the policy come before a document's own routes, whose id takes any word."""

from django.urls import include, path

urlpatterns = [
    path("", include("documents.api.trash")),
    path("", include("documents.api.policy")),
    path("", include("documents.api.documents")),
    path("", include("documents.api.files")),
    path("", include("documents.api.trail")),
    path("", include("documents.api.appeal_kit")),
]
