"""Draw the course's diagrams into assets/, and embed them where the lessons show them.

    python assets/make_assets.py        # or: make assets

- ``em_cycle.png``: the EM algorithm as a cycle (lesson 00, "The EM algorithm");
- ``course_map.png``: the fifteen lessons and what each builds on (lesson 00, "The map", and README).

A lesson carries its diagram as a cell attachment (nbformat's own mechanism), so a
notebook handed out alone still shows it; this script is the single source of both.
"""

import base64
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
INTRO = ROOT / "notebooks" / "00_introduction.ipynb"

# Where each diagram goes in lesson 00: (heading of the markdown cell, image line).
EMBEDDED = {
    "em_cycle.png": ("## The EM algorithm", "![The EM cycle](attachment:em_cycle.png)"),
    "course_map.png": ("## The map", "![The course map](attachment:course_map.png)"),
}

_BOX = dict(boxstyle="round,pad=0.02,rounding_size=0.12", linewidth=1.5)


def _box(ax, xy, text, colour, width=2.6, height=0.9):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                facecolor=colour, edgecolor="0.25", **_BOX))
    ax.text(x, y, text, ha="center", va="center", fontsize=10.5, wrap=True)


def _arrow(ax, start, end, text="", bend=0.0):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16, linewidth=1.5,
                                 color="0.25", connectionstyle=f"arc3,rad={bend}"))
    if text:  # beside a vertical arrow, above a horizontal one
        vertical = start[0] == end[0]
        ax.text((start[0] + end[0]) / 2 + (0.12 if vertical else 0),
                (start[1] + end[1]) / 2 + (0 if vertical else 0.25), text,
                ha="left" if vertical else "center", fontsize=9, color="0.3")


def em_cycle():
    """The EM cycle: initialise, then E-step, M-step and the log-likelihood until it settles."""
    fig = Figure(figsize=(8, 4.2))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 10), ylim=(0, 5.2))
    ax.axis("off")
    _box(ax, (1.6, 4.2), "initialise\nμ, Σ, π", "#e8e8e8")
    _box(ax, (5.0, 4.2), "E-step\nresponsibilities γ_ik", "#cfe3f7")
    _box(ax, (8.4, 2.5), "M-step\nnew μ_k, Σ_k, π_k", "#f9dcc4")
    _box(ax, (5.0, 0.8), "log-likelihood\nlog p(X | θ)", "#d9efd2")
    _box(ax, (1.6, 0.8), "stop: change\nbelow tol", "#e8e8e8")
    _arrow(ax, (2.9, 4.2), (3.7, 4.2))
    _arrow(ax, (6.3, 4.1), (8.0, 3.0), bend=-0.2)
    _arrow(ax, (8.0, 2.0), (6.3, 0.9), bend=-0.2)
    _arrow(ax, (5.0, 1.25), (5.0, 3.75), "not yet")
    _arrow(ax, (3.7, 0.8), (2.9, 0.8), "settled")
    ax.text(7.6, 4.35, "who made each point?", fontsize=9, color="0.3")
    ax.text(7.2, 0.75, "never decreases", fontsize=9, color="0.3")
    return fig


# (number, name on the map, row): 0 the core path, 1 what real use needs, 2 beyond
# Gaussians and what a fit is for, 3 optional.
LESSONS = [
    ("00", "introduction", 0), ("01", "Gaussian pdf", 0), ("02", "log-\nlikelihood", 0),
    ("03", "E-step", 0), ("04", "M-step", 0), ("05", "EM loop", 0), ("06", "why EM\nworks", 0),
    ("07", "initialisation", 1), ("08", "choosing K", 1), ("09", "collapse", 1),
    ("10", "local optima,\nlabel switching", 1), ("11", "Old Faithful", 1),
    ("12", "density,\nclassification", 1),
    ("13", "Bernoulli\nmixture", 2), ("14", "using a\nfitted mixture", 2),
    ("15", "vectorising", 3), ("16", "performance", 3),
]
# The lessons that build on the one before them on the map (the rest build on the core).
_FOLLOWS = {"08": "07", "10": "09", "12": "11", "16": "15"}
# Each row: its height, where its first box sits, and its title.
_ROWS = [(4.9, 1.1, "the core: from the Gaussian to why EM works"),
         (2.85, 1.4, "what real use needs (after the core)"),
         (0.8, 1.4, "EM beyond Gaussians, and what a fit is for"),
         (0.8, 8.3, "optional: speed")]


def course_map():
    """The lessons in order: the core 00-06, real use 07-12, 13-14 beyond it, optional 15-16."""
    fig = Figure(figsize=(11, 5.2))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 14.2), ylim=(0, 6.2))
    ax.axis("off")
    places = {}
    for row, (y, x0, title) in enumerate(_ROWS):
        ax.text(x0 - 1.2 if row else 0.2, y + 0.8, title, fontsize=10, color="0.3")
        numbers = [number for number, _, r in LESSONS if r == row]
        for i, number in enumerate(numbers):
            places[number] = (x0 + (2.0 if row == 0 else 2.3) * i, y)
    colours = ("#cfe3f7", "#f9dcc4", "#d9efd2", "#e8e8e8")
    for number, name, row in LESSONS:
        _box(ax, places[number], f"{number}\n{name}", colours[row],
             width=1.75 if row == 0 else 2.05, height=1.1)
    for number, name, row in LESSONS:
        before = _FOLLOWS.get(number, f"{int(number) - 1:02d}" if row == 0 and number != "00"
                              else None)
        if before is not None and places[before][1] == places[number][1]:
            half = 0.875 if row == 0 else 1.025
            (xa, ya), (xb, yb) = places[before], places[number]
            _arrow(ax, (xa + half, ya), (xb - half, yb))
    return fig


def png_bytes(fig):
    """The figure as PNG bytes, without the metadata that changes from run to run."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def embed(nb, name, data):
    """Put ``data`` as attachment ``name`` in the lesson's cell that shows it; return nb."""
    heading, image = EMBEDDED[name]
    (cell,) = [c for c in nb.cells
               if c.cell_type == "markdown" and heading in c.source.splitlines()]
    if image not in cell.source:
        cell.source = cell.source.replace(f"{heading}\n\n", f"{heading}\n\n{image}\n\n", 1)
    cell.setdefault("attachments", {})[name] = {"image/png": base64.b64encode(data).decode()}
    return nb


def main(out=ASSETS, notebook=INTRO):
    """Write every diagram to ``out`` and embed it in ``notebook``; return the paths written."""
    out, notebook = Path(out), Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    written = []
    for name, draw in (("em_cycle.png", em_cycle), ("course_map.png", course_map)):
        data = png_bytes(draw())
        (out / name).write_bytes(data)
        embed(nb, name, data)
        written.append(out / name)
    nbformat.write(nb, notebook)
    return written


if __name__ == "__main__":
    for path in main(*sys.argv[1:]):
        print(f"wrote {path}")
