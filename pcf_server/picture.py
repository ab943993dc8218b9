"""``pcf-bdt timeline``: the operator's picture of an area as a PNG or SVG file, for reports.

It draws the same JSON as the operator page (``GET .../areas/{areaId}/timeline``) the
same way: expected load, committed reservations per ASP and held offers (hatched) stacked
as step areas, the limit as a red line over them, degradations shaded. matplotlib (the
``picture`` extra) draws it, rather than a browser printing the page: it writes SVG as
well as PNG, needs no Chromium on the operator's machine, and runs without a display.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

PALETTE = (
    "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#843c39",
)  # fmt: skip
FORMATS = (".png", ".svg")
MBIT = 1e6


class PictureUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _days(text: str) -> float:
    """An RFC 3339 time as matplotlib's date number: days since 1970-01-01 UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() / 86400


def draw(document: dict[str, Any], out: Path, direction: str = "downlink") -> None:
    """Write the picture of a timeline document to ``out`` (.png or .svg)."""
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"{out.name}: the picture is written as .png or .svg")
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text: searchable
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PictureUnavailable(
            "writing the picture needs matplotlib: pip install 'npcf-bdt[picture]'"
        ) from exc

    series = document[direction]
    # Each value holds for its slot: one more edge at the end of the last slot.
    edges = [_days(t) for t in [*document["slots"], document["stop"]]]

    def steps(values: list[float]) -> list[float]:
        return [v / MBIT for v in values] + [values[-1] / MBIT if values else 0.0]

    asps = sorted({*series["committed"], *series["held"]})
    colors = {asp: PALETTE[i % len(PALETTE)] for i, asp in enumerate(asps)}
    figure, axes = plt.subplots(figsize=(14, 6), dpi=100)
    base = [0.0] * len(edges)
    layers: list[tuple[str, list[float], dict[str, Any]]] = [
        ("expected load", series["expected"], {"color": "#c8c8c8", "edgecolor": "#999999"})
    ]
    for asp, values in series["committed"].items():
        layers.append((asp, values, {"color": colors[asp], "alpha": 0.75}))
    for asp, values in series["held"].items():
        style: dict[str, Any] = {
            "facecolor": "none",
            "edgecolor": colors[asp],
            "hatch": "//",
            "linestyle": "--",
        }
        layers.append((f"held: {asp}", values, style))
    for label, values, style in layers:
        heights = steps(values)
        top = [b + v for b, v in zip(base, heights, strict=True)]
        # Only where there is something: no outline along the slots an ASP does not use.
        where = [h > 0 or (i > 0 and heights[i - 1] > 0) for i, h in enumerate(heights)]
        axes.fill_between(
            edges, base, top, where=where, step="post", label=label, linewidth=1, **style
        )
        base = top
    axes.step(edges, steps(series["limit"]), where="post", color="#d62728", lw=2.5, label="limit")

    for degradation in document["degradations"]:
        window = degradation["timeWindow"]
        start = max(_days(window["startTime"]), edges[0])
        stop = min(_days(window["stopTime"]), edges[-1])
        if stop <= start:
            continue
        axes.axvspan(start, stop, color="#d62728", alpha=0.10, lw=0)
        text = f"degraded x{degradation['factor']} ({degradation['source']})"
        axes.annotate(
            text, (start, 1), xycoords=("data", "axes fraction"), xytext=(4, -14),
            textcoords="offset points", color="#a01010", fontsize=9,
        )  # fmt: skip

    capacity = document["capacity"][direction] / MBIT
    axes.set_title(
        f"Area {document['areaId']}: {direction}, capacity {capacity:g} Mbit/s, "
        f"utilisation ceiling {document['utilisationCeiling']}"
    )
    axes.set_ylabel(f"{direction}, Mbit/s")
    axes.set_xlabel("slot start (UTC)")
    axes.set_xlim(edges[0], edges[-1])
    axes.set_ylim(bottom=0)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d %H:%M"))  # type: ignore[no-untyped-call]
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(out, format=out.suffix.lower().lstrip("."))
    plt.close(figure)
