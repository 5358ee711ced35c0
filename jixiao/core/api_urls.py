"""/api/v1/: each app that has an `api.py` with `urlpatterns` is mounted under its label."""

from importlib import import_module
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path, re_path
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView


class NoSuchEndpoint(APIView):
    """Anything else under /api/v1/ (an id like -1 that no route takes): a JSON 404 like
    every other API refusal, not the HTML error page."""

    permission_classes: list[Any] = []
    schema = None  # not an operation of the API

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotFound

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        raise NotFound


urlpatterns: list[URLPattern | URLResolver] = []
for config in apps.get_app_configs():
    if not config.name.startswith("jixiao."):
        continue
    try:
        module = import_module(f"{config.name}.api")
    except ModuleNotFoundError:
        continue
    if hasattr(module, "urlpatterns"):
        urlpatterns.append(path(f"{config.label}/", include(module)))
urlpatterns.append(re_path(r"^", NoSuchEndpoint.as_view()))
