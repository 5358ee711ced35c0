from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# ReDoc styles itself by injecting <style> elements and runs its search in a worker made
# from a blob: URL; the documentation pages (and only they) allow both. Still nothing
# from another host: the assets come from drf-spectacular-sidecar.
_redoc_csp = csp_update({"style-src-elem": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    path("", include("jixiao.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("jixiao.accounts.urls")),
    path("audit/", include("jixiao.audit.urls")),
    path("org/", include("jixiao.org.urls")),
    path("scheme/", include("jixiao.scheme.urls")),
    path("collection/", include("jixiao.collection.urls")),
    path("verification/", include("jixiao.verification.urls")),
    path("monitoring/", include("jixiao.monitoring.urls")),
    path("observers/", include("jixiao.observers.urls")),
    path("supervision/", include("jixiao.supervision.urls")),
    path("scoring/", include("jixiao.scoring.urls")),
    path("analysis/", include("jixiao.analysis.urls")),
    path("evaluation/", include("jixiao.evaluation.urls")),
    path("r/", include("jixiao.evaluation.urls_public")),
    path("inspections/", include("jixiao.inspections.urls")),
    path("complaints/", include("jixiao.complaints.urls")),
    path("c/", include("jixiao.complaints.urls_public")),
    path("api/v1/", include("jixiao.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        _redoc_csp(
            SpectacularRedocView.as_view(url_name="api_schema", template_name="api/redoc.html")
        ),
        name="api_docs",
    ),
    path(
        "api/docs/swagger/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_swagger",
    ),
]
