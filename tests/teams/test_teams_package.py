"""`python app.py teams package` builds the Teams app zip, and refuses without a real app id."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.teams.manifest import draw_icons, png
from tests.conftest import ROOT

APP_ID = "9b8e7e32-3c4f-4d1a-9d55-5b0c6f7a1e11"


def run(tmp_path: Path, *args: str, app_id: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    env.update(DATA_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'ladder.db'}")
    if app_id is not None:
        env["MICROSOFT_APP_ID"] = app_id
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "teams", "package", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=300)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_package_has_manifest_and_icons(tmp_path):
    out = tmp_path / "dist" / "ladder-teams.zip"
    result = run(tmp_path, "--out", str(out), app_id=APP_ID)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        color, outline = zf.read("color.png"), zf.read("outline.png")
    assert manifest["manifestVersion"] == "1.16" and manifest["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert all(manifest["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert "{{" not in json.dumps(manifest)
    assert png_size(color) == (192, 192) and png_size(outline) == (32, 32)
    # The command list Teams suggests is read from the intent catalogue, within Teams' limits.
    from understanding.catalogue import load

    catalogue = load()
    [commands] = [c["commands"] for c in manifest["bots"][0]["commandLists"]]
    helps = {i.help: i for i in catalogue.intents}
    assert 3 <= len(commands) <= 10
    assert all(c["title"] in helps and helps[c["title"]].listed and len(c["title"]) <= 32 for c in commands)
    assert commands[0]["title"] == catalogue["career_path"].help


def test_outline_icon_is_white_on_transparent():
    from PIL import Image  # available in the dev environment; the package itself does not need it

    color, outline = draw_icons()
    img = Image.open(io.BytesIO(outline)).convert("RGBA")
    pixels = set(img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata())
    assert pixels == {(255, 255, 255, 255), (0, 0, 0, 0)}
    assert Image.open(io.BytesIO(color)).size == (192, 192)
    assert (ROOT / "teams" / "outline.png").read_bytes() == outline  # the committed icons are the drawn ones
    assert (ROOT / "teams" / "color.png").read_bytes() == color


def test_png_writer_round_trips():
    from PIL import Image

    data = png(2, 1, [[(255, 0, 0, 255), (0, 0, 255, 128)]])
    img = Image.open(io.BytesIO(data))
    assert img.size == (2, 1) and img.getpixel((1, 0)) == (0, 0, 255, 128)


@pytest.mark.parametrize("app_id,words", [(None, "MICROSOFT_APP_ID is not set"), ("your-app-id", "not a placeholder"),
                                          ("abc", "not an Azure app id"),
                                          ("00000000-0000-0000-0000-000000000000", "all-zero placeholder")])
def test_package_refuses_without_a_real_app_id(tmp_path, app_id, words):
    result = run(tmp_path, "--out", str(tmp_path / "x.zip"), app_id=app_id)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.zip").exists()
