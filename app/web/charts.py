"""Charts drawn on the server as SVG: no script and nothing fetched from outside the app.

Each chart carries its own title for screen readers; the page beside it shows the same
figures in a table, so the chart only repeats what can be read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
BAR_HEIGHT = 22
LABEL_WIDTH = 190
WIDTH = 640
COLOURS = ("#1f5fbf", "#5b8fd9", "#8fb3e8", "#c3d5f2")
REST_COLOUR = "#c9ced8"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def _svg(title: str, height: int) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-label": title,
            "class": "chart",
        },
    )
    ET.SubElement(svg, "title").text = title
    return svg


def _markup(svg: ET.Element) -> Markup:
    # ElementTree escapes every text and attribute, so names cannot inject markup.
    return Markup(ET.tostring(svg, encoding="unicode"))


def share_bars(title: str, bars: Sequence[Bar], total: int, rest_label: str) -> Markup:
    """One bar per holder as a share of `total`, then one for everyone else."""
    rest = total - sum(bar.value for bar in bars)
    rows = [(bar.label, bar.value / total if total else 0, None) for bar in bars]
    if rest > 0:
        rows.append((rest_label, rest / total, REST_COLOUR))
    return fraction_bars(title, rows)


def fraction_bars(title: str, rows: Sequence[tuple[str, float, str | None]]) -> Markup:
    """One bar per (label, fraction of a whole, colour or None for the next of COLOURS)."""
    svg = _svg(title, max(1, len(rows)) * (BAR_HEIGHT + 6) + 6)
    span = WIDTH - LABEL_WIDTH - 70
    for position, (label, share, colour) in enumerate(rows):
        y = 6 + position * (BAR_HEIGHT + 6)
        text = ET.SubElement(svg, "text", {"x": "0", "y": str(y + 16), "font-size": "13"})
        text.text = label if len(label) <= 28 else label[:27] + "…"
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(LABEL_WIDTH),
                "y": str(y),
                "width": f"{max(1.0, share * span):.1f}",
                "height": str(BAR_HEIGHT),
                "fill": colour or COLOURS[position % len(COLOURS)],
            },
        )
        figure = ET.SubElement(
            svg,
            "text",
            {"x": f"{LABEL_WIDTH + share * span + 6:.1f}", "y": str(y + 16), "font-size": "13"},
        )
        figure.text = f"{share:.1%}"
    return _markup(svg)


def growth_line(title: str, points: Sequence[tuple[str, int]]) -> Markup:
    """A step line of a total over time; `points` are (label, value), oldest first."""
    height, left, bottom = 220, 80, 30
    svg = _svg(title, height)
    if not points:
        return _markup(svg)
    top = max(value for _, value in points) or 1
    span_x = WIDTH - left - 10
    span_y = height - bottom - 10

    def at(position: int, value: int) -> tuple[float, float]:
        x = left + (span_x * position / max(1, len(points) - 1))
        return x, 10 + span_y * (1 - value / top)

    path = []
    for position, (_, value) in enumerate(points):
        x, y = at(position, value)
        if path:
            path.append(f"H {x:.1f} V {y:.1f}")
        else:
            path.append(f"M {x:.1f} {y:.1f}")
    ET.SubElement(
        svg,
        "path",
        {"d": " ".join(path), "fill": "none", "stroke": COLOURS[0], "stroke-width": "2"},
    )
    ET.SubElement(
        svg,
        "line",
        {
            "x1": str(left),
            "y1": str(height - bottom),
            "x2": str(WIDTH - 10),
            "y2": str(height - bottom),
            "stroke": "#5b6475",
        },
    )
    for value, label in ((top, f"{top:,}"), (0, "0")):
        text = ET.SubElement(
            svg, "text", {"x": "0", "y": f"{at(0, value)[1] + 4:.1f}", "font-size": "12"}
        )
        text.text = label
    for position in (0, len(points) - 1):
        x, _ = at(position, 0)
        anchor = "start" if position == 0 else "end"
        text = ET.SubElement(
            svg,
            "text",
            {"x": f"{x:.1f}", "y": str(height - 8), "font-size": "12", "text-anchor": anchor},
        )
        text.text = points[position][0]
    return _markup(svg)
