"""The home page is assembled from panels contributed by each app (`<app>/home.py`),
so that each role lands on its own real work and new modules add theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    wide: bool = False


def panels_for(request: HttpRequest) -> list[Panel]:
    panels: list[Panel] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jixiao."):
            continue
        try:
            module = import_module(f"{config.name}.home")
        except ModuleNotFoundError:
            continue
        if module.__name__ == __name__:
            continue
        panels.extend(module.home_panels(request))
    return sorted(panels, key=lambda p: p.order)
