"""/api/v1/: each app that has an `api.py` with `urlpatterns` is mounted under its label."""

from importlib import import_module

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path

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
