"""Dataclasses kept as plain dicts (FSM data): loading what an older or newer version stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any


def known_fields(record: type[Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that name a field of the dataclass ``record``; others are left
    out, and a field missing takes its default."""
    return {each.name: data[each.name] for each in fields(record) if each.name in data}
