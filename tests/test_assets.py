"""assets/: every diagram is drawn by assets/make_assets.py, and lesson 00 carries the same bytes."""

import base64
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("em_cycle.png", "course_map.png")


@pytest.fixture(scope="module")
def make_assets():
    spec = importlib.util.spec_from_file_location("make_assets", ROOT / "assets" / "make_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _attachments(path):
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        for name, data in cell.get("attachments", {}).items():
            found[name] = base64.b64decode(data["image/png"])
    return found


def test_the_script_draws_every_diagram_and_embeds_it(make_assets, tmp_path):
    notebook = tmp_path / "00_introduction.ipynb"
    shutil.copy(ROOT / "notebooks" / "00_introduction.ipynb", notebook)
    written = make_assets.main(tmp_path, notebook)
    assert sorted(p.name for p in written) == sorted(NAMES)
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert _attachments(notebook) == {p.name: p.read_bytes() for p in written}
    # Running it again changes nothing: the image lines are not added twice.
    before = notebook.read_text()
    make_assets.main(tmp_path, notebook)
    assert notebook.read_text() == before


def test_lesson_00_shows_the_committed_diagrams():
    attachments = _attachments(ROOT / "notebooks" / "00_introduction.ipynb")
    for name in NAMES:
        assert attachments[name] == (ROOT / "assets" / name).read_bytes(), (
            f"assets/{name} and lesson 00 differ: run make assets")
    source = "\n".join(c.source for c in nbformat.read(
        ROOT / "notebooks" / "00_introduction.ipynb", as_version=4).cells)
    for name in NAMES:
        assert f"](attachment:{name})" in source


def test_the_course_map_shows_every_lesson_in_order(make_assets):
    on_disk = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [number for number, _, _ in make_assets.LESSONS] == on_disk
