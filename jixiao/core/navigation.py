"""The navigation bar: each app lists its own entries in `<app>/nav.py`.

An app's `nav_items(user)` returns only what that user may open, so a module that a
role cannot use (or that does not exist yet) never shows up in its menu.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    order: int = 100


@functools.cache
def _nav_modules() -> tuple[Any, ...]:
    """The apps' nav modules, looked up once: a failed import searches the file system,
    which every page paid for each app without one."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jixiao."):
            continue
        try:
            modules.append(import_module(f"{config.name}.nav"))
        except ModuleNotFoundError:
            continue
    return tuple(modules)


def nav_items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    for module in _nav_modules():
        items.extend(module.nav_items(user))
    return sorted(items, key=lambda item: item.order)
