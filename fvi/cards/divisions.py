"""Vietnam's provinces and their wards (the 2025 two-level map) from the ``vietnam-provinces`` package:
the one loader the card generator and the address matcher share."""

from __future__ import annotations

import json
from functools import lru_cache


def _single_spaced(name: str) -> str:
    # A few names in the package carry a double space ("Phường  Buôn Ma Thuột"); cards print one.
    return " ".join(name.split())


@lru_cache(maxsize=1)
def load_divisions() -> tuple[dict, ...]:
    """Each province as the package's nested JSON gives it ("name", "code", "division_type", "wards":
    [{"name": ...}, ...]), with every name single-spaced. Loaded once per process; do not modify."""
    import vietnam_provinces

    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    for province in data:
        province["name"] = _single_spaced(province["name"])
        for ward in province["wards"]:
            ward["name"] = _single_spaced(ward["name"])
    return tuple(data)
