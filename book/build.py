"""Build the course website: ``python book/build.py [--out build/site]``.

Assembles a Sphinx source folder (default ``build/book-src``) from book/conf.py,
book/index.md, book/static/ (the site's own script and style), the notebooks
(copied, stored outputs and all: nothing is executed) and the JavaScript
installed by ``npm ci`` from package-lock.json, then runs
sphinx-build into the output folder (default ``build/site``), a folder of static
files whose entry page is ``index.html``.

The lessons are copied into the source folder's top level, so that every page of
the site sits at the same depth: the ipywidgets HTML manager's modules load their
icon fonts from ``@jupyter-widgets/`` and ``@jupyter-widgets/html-manager/dist/`` next to the
page (where require.js resolves the modules' names), and the fonts are copied to
both folders in the site's root.

``build_site`` is also what tests/test_site.py calls, on the lessons and on a
small notebook of its own.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NODE_MODULES = ROOT / "node_modules"

# What the site serves, from node_modules: (source, destination under _vendor/js).
VENDORED = [
    ("mathjax/es5", "mathjax"),
    ("requirejs/require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "html-manager/embed-amd.js"),
]
FONTS_FROM = "@jupyter-widgets/html-manager/dist"
FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}


def missing_javascript(node_modules=NODE_MODULES):
    return [source for source, _ in VENDORED if not (node_modules / source).exists()]


def copy_notebook(notebook, source_dir):
    """Copy a notebook, its markdown cells' attachments written out as files.

    myst-nb cannot read ``attachment:name`` images (lesson 00 embeds its figures
    that way, so that they travel with the notebook): each attachment becomes
    ``_attachments/<notebook>/<name>`` and the cell refers to that file instead.
    """
    content = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in content["cells"]:
        attachments = cell.pop("attachments", None)
        if not attachments or cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for name, bundle in attachments.items():
            mime, data = next(iter(bundle.items()))
            relative = f"_attachments/{notebook.stem}/{name}"
            target = source_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = "".join(data) if isinstance(data, list) else data
            if mime.startswith("image/svg"):
                target.write_text(data, encoding="utf-8")
            else:
                target.write_bytes(base64.b64decode(data))
            text = text.replace(f"attachment:{name}", relative)
        cell["source"] = text
    (source_dir / notebook.name).write_text(json.dumps(content, indent=1), encoding="utf-8")


def assemble(source_dir, notebooks, node_modules=NODE_MODULES):
    """Fill ``source_dir`` (emptied first) with the Sphinx sources."""
    missing = missing_javascript(node_modules)
    if missing:
        raise SystemExit(
            f"missing in {node_modules}: {', '.join(missing)}; run `npm ci` in {ROOT}"
        )
    source_dir = Path(source_dir)
    if source_dir.exists():
        shutil.rmtree(source_dir)
    source_dir.mkdir(parents=True)
    for name in ("conf.py", "index.md"):
        shutil.copy2(BOOK / name, source_dir / name)
    for notebook in notebooks:
        copy_notebook(Path(notebook), source_dir)
    shutil.copytree(BOOK / "static", source_dir / "_vendor")
    vendor = source_dir / "_vendor" / "js"
    for source, destination in VENDORED:
        source, destination = node_modules / source, vendor / destination
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    return source_dir


def copy_widget_fonts(out_dir, node_modules=NODE_MODULES):
    for folder in ("@jupyter-widgets", FONTS_FROM):
        fonts = Path(out_dir) / folder
        fonts.mkdir(parents=True, exist_ok=True)
        for path in (node_modules / FONTS_FROM).iterdir():
            if path.suffix in FONT_SUFFIXES:
                shutil.copy2(path, fonts / path.name)


def build_site(out_dir, notebooks=None, source_dir=None, quiet=True):
    """Build the site from ``notebooks`` (default: every lesson) into ``out_dir``."""
    if notebooks is None:
        notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    out_dir = Path(out_dir)
    if source_dir is None:
        source_dir = out_dir.parent / (out_dir.name + "-src")
    assemble(source_dir, notebooks)
    # Sphinx builds inside the source folder: myst-nb writes its output images
    # next to the builder's folder, so that stays out of the site and out of build/.
    html = Path(source_dir) / "_build" / "html"
    # -W: a warning (an unreadable image, a broken reference) fails the build.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-W", "--keep-going",
               "-d", str(Path(source_dir) / "_build" / "doctrees"), str(source_dir), str(html)]
    if quiet:
        command.append("-q")
    subprocess.run(command, check=True)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(html, out_dir)
    copy_widget_fonts(out_dir)
    return out_dir


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=ROOT / "build" / "site", type=Path)
    parser.add_argument("--src", default=ROOT / "build" / "book-src", type=Path)
    args = parser.parse_args(argv)
    out = build_site(args.out, source_dir=args.src, quiet=False)
    print(f"The site is in {out}; its entry page is {out / 'index.html'}")


if __name__ == "__main__":
    main()
