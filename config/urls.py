from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.platform.admin_site import site as admin_site
from accounts.views import invitation, set_language

# /healthz has no route: accounts.platform.service_health.HealthzMiddleware answers it before the host check.
urlpatterns = [
    path("", admin_site.root_redirect, name="root"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("invitations/<str:token>/", invitation, name="invitation"),
    path("admin/", admin_site.urls),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

