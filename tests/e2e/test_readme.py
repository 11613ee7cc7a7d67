"""The README documents every gateway setting, with its real default, and every route."""

from __future__ import annotations

from gateway import Settings, create_app
from tests.e2e.conftest import ROOT


def _gateway_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## HTTP gateway"):].split("\n## ", 1)[0]


def test_every_setting_is_documented_with_its_default():
    section = _gateway_section()
    for name, field in Settings.model_fields.items():
        row = next((line for line in section.splitlines() if line.startswith(f"| `FVI_{name.upper()}` |")), None)
        assert row is not None, f"FVI_{name.upper()} is not in the README's settings table"
        default = field.default
        shown = ",".join(default) if isinstance(default, list) else str(default).lower() if isinstance(default, bool) \
            else str(default)
        assert (f"`{shown}`" in row) if shown not in ("", "None") else "(none)" in row, row


def test_every_route_is_documented():
    section = _gateway_section()
    for route in create_app(Settings()).routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD" and not route.path.startswith(("/docs", "/redoc")):
                assert f"`{method} {route.path}`" in section, (method, route.path)
