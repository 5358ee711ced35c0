from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

urlpatterns = [
    path("", include("jixiao.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("jixiao.accounts.urls")),
    path("audit/", include("jixiao.audit.urls")),
    path("org/", include("jixiao.org.urls")),
    path("scheme/", include("jixiao.scheme.urls")),
    path("collection/", include("jixiao.collection.urls")),
    path("scoring/", include("jixiao.scoring.urls")),
    path("evaluation/", include("jixiao.evaluation.urls")),
    path("r/", include("jixiao.evaluation.urls_public")),
    path("api/v1/", include("jixiao.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_docs"),
]
