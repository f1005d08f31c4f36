from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import password_reset
from accounts.platform.admin_site import site as admin_site
from accounts.views import invitation, set_language

# /healthz has no route: accounts.platform.service_health.HealthzMiddleware answers it before the host check.
urlpatterns = [
    path("", admin_site.root_redirect, name="root"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("invitations/<str:token>/", invitation, name="invitation"),
    # Choosing a new password by email; the admin's sign-in page links to it (Django looks for this URL's name).
    path("admin/password_reset/", password_reset.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", password_reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", password_reset.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("admin/reset/done/", password_reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin_site.urls),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

# An API address that matches no route (/api/v1/stores/1.5/) gets the API's JSON 404; other addresses Django's page.
handler404 = "accounts.platform.api.exceptions.page_not_found"

