"""The Teams app package: manifest.json (schema 1.16) + color.png (192×192) + outline.png (32×32) in a zip.

``python app.py teams package [--out dist/ladder-teams.zip]``. The manifest template and the icons live
in ``teams/`` at the project root; the icons are drawn by ``draw_icons()`` (plain zlib PNG writer, no
imaging library) and can be regenerated with ``python -m bot.teams.manifest --icons``.
"""

from __future__ import annotations

import json
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

from settings import PROJECT_ROOT, Settings
from understanding.catalogue import Catalogue
from understanding.catalogue import load as load_catalogue

ASSETS = PROJECT_ROOT / "teams"
TEMPLATE = ASSETS / "manifest.template.json"
COLOR_ICON = ASSETS / "color.png"
OUTLINE_ICON = ASSETS / "outline.png"
DEFAULT_OUT = PROJECT_ROOT / "dist" / "ladder-teams.zip"
ACCENT = (0x2E, 0x5E, 0x4E)


class PackageError(Exception):
    """Something the person running the command must fix; the message says what."""


def _app_id(settings: Settings) -> str:
    value = (settings.microsoft_app_id or "").strip()
    if not value:
        raise PackageError(
            "MICROSOFT_APP_ID is not set. Register the bot in Azure (Azure Bot resource → Configuration → "
            "Microsoft App ID), set MICROSOFT_APP_ID (and MICROSOFT_APP_PASSWORD) in the environment or .env, "
            "then run this again. The package must carry your bot's real app id.")
    try:
        parsed = uuid.UUID(value)
        if parsed.int == 0:
            raise PackageError("MICROSOFT_APP_ID is the all-zero placeholder; use your bot's app id from Azure.")
        return str(parsed)
    except ValueError:
        raise PackageError(f"MICROSOFT_APP_ID {value!r} is not an Azure app id (a GUID such as "
                           "9b8e7e32-3c4f-4d1a-9d55-5b0c6f7a1e11 from the Azure Bot resource), not a placeholder.") from None


def manifest(settings: Settings, *, version: str = "1.0.0") -> dict:
    app_id = _app_id(settings)
    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("{{MICROSOFT_APP_ID}}", app_id).replace("{{VERSION}}", version)
    text = text.replace("{{COMPANY}}", settings.demo_company)
    data = json.loads(text)
    if "{{" in json.dumps(data):
        raise PackageError("teams/manifest.template.json still has an unfilled {{placeholder}}")
    for bot in data.get("bots", []):
        for command_list in bot.get("commandLists", []):
            command_list["commands"] = command_list_of(load_catalogue())
    return data


MAX_COMMANDS, MAX_TITLE, MAX_DESCRIPTION = 10, 32, 128  # Teams' limits for a bot's command list


def command_list_of(catalogue: Catalogue) -> list[dict[str, str]]:
    """The commands Teams suggests, from the intent catalogue: what everyone may ask, with its help example."""
    commands = []
    for intent in catalogue.intents:
        if not intent.listed or "employee" not in intent.who or not intent.help or len(intent.help) > MAX_TITLE:
            continue
        commands.append({"title": intent.help, "description": intent.description[:MAX_DESCRIPTION]})
    return commands[:MAX_COMMANDS]


def build_package(settings: Settings, out: Path = DEFAULT_OUT, *, version: str = "1.0.0") -> Path:
    data = manifest(settings, version=version)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # Teams wants the three files at the root of the zip, not in a folder.
        zf.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        zf.writestr("color.png", COLOR_ICON.read_bytes())
        zf.writestr("outline.png", OUTLINE_ICON.read_bytes())
    return out


# --------------------------------------------------------------------------- icons


def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """A minimal RGBA PNG (8-bit, no interlace)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _ladder_mask(size: int) -> list[list[bool]]:
    """A ladder: two rails and four rungs, centred, with some margin."""
    margin = size * 0.2
    rail = max(1, round(size * 0.08))
    left, right = round(size * 0.3), round(size * 0.7) - rail
    top, bottom = round(margin), round(size - margin)
    rung_h = max(1, round(size * 0.06))
    rungs = [round(top + (bottom - top) * f) for f in (0.12, 0.37, 0.62, 0.87)]
    mask = [[False] * size for _ in range(size)]
    for y in range(top, bottom):
        for x in range(size):
            on_rail = left <= x < left + rail or right <= x < right + rail
            on_rung = left <= x < right + rail and any(r - rung_h // 2 <= y < r - rung_h // 2 + rung_h for r in rungs)
            mask[y][x] = on_rail or on_rung
    return mask


def draw_icons() -> tuple[bytes, bytes]:
    """(color 192×192: white ladder on the accent colour; outline 32×32: white ladder on transparent)."""
    white = (255, 255, 255, 255)
    color_mask = _ladder_mask(192)
    color = [[white if on else (*ACCENT, 255) for on in row] for row in color_mask]
    outline_mask = _ladder_mask(32)
    outline = [[white if on else (0, 0, 0, 0) for on in row] for row in outline_mask]
    return png(192, 192, color), png(32, 32, outline)


if __name__ == "__main__":  # regenerate the committed icons
    import sys

    if "--icons" in sys.argv:
        color_png, outline_png = draw_icons()
        COLOR_ICON.write_bytes(color_png)
        OUTLINE_ICON.write_bytes(outline_png)
        print(f"wrote {COLOR_ICON} and {OUTLINE_ICON}")
