"""The REST API (/api/v1/): every app's API routes, in one list; its root lists them (``GET /api/v1/``)."""

from django.urls import include, path

from accounts.platform.api.root import ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("accounts.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("health.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("reviews.api.urls")),
]
