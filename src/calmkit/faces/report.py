"""`calmkit report`: one page, from the person's own journal, for them (or to take to a therapist).

Plain sentences at the top, then episodes per week, a heatmap of hour x weekday, how often each
program was tried and helped (yes / no / no answer, as counts), lengths, the "not helping" paths,
quiet time and reach-out moments. An empty or tiny journal gets an honest short page.

matplotlib is imported here only, inside the function that draws: the device loop and every
other command never load it. The page is written private (0600): it is the person's health data.
"""

from __future__ import annotations

import base64
import html
import io
import os
import stat
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.insights import FEW, LENGTH_BINS, Report

FORMATS = (".pdf", ".png", ".html")
PRIVACY = "Made on this device from its own journal, and sent nowhere."
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Warm, calm colours: helped, did not help, no answer.
YES_COLOUR, NO_COLOUR, UNKNOWN_COLOUR = "#d9822b", "#7a6f8f", "#cfc6b8"
#: How many programs and "not helping" paths the page has room for.
MOST_PROGRAMS, MOST_PATHS = 8, 4


def check_output(path: Path) -> str:
    """The format a path asks for; UsageError for any other."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"the report is written as {', '.join(FORMATS)}: not {path.name!r}")
    return suffix


def text_report(report: Report, period: str) -> str:
    """The sentences, for the terminal."""
    lines = [f"calmkit report ({period})", ""]
    lines += report.sentences()
    lines += ["", PRIVACY]
    return "\n".join(lines)


def _lengths_labels() -> list[str]:
    labels = []
    for low, high in LENGTH_BINS:
        labels.append(f"{low:g}-{high:g}" if high < 24 * 60 else f"{low:g}+")
    return labels


def draw(report: Report, period: str, made: datetime) -> Any:
    """The page as a matplotlib Figure (Agg: no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    short = report.episodes < FEW  # an honest short page: the sentences, no charts
    height = 4.2 if short else 11.69  # A4 wide; the full page is A4
    fig = Figure(figsize=(8.27, height))
    inch = 1 / height  # one inch as a share of the page's height

    def line(y: float, text: str, size: float = 10.5, **style: Any) -> float:
        """Text ``y`` inches from the top, wrapped to the page; the y below it."""
        wrapped = textwrap.wrap(text, width=int(92 * 10.5 / size)) or [""]
        fig.text(0.06, 1 - y * inch, "\n".join(wrapped), fontsize=size, va="top", **style)
        return y + len(wrapped) * size * 1.25 / 72 + 0.12

    line(0.35, "calmkit: what helped", 18, weight="bold")
    y = line(0.72, f"{period} · made {made:%d %b %Y %H:%M}", 9, color="#555")
    for sentence in report.sentences():
        y = line(y, sentence)
    footer = PRIVACY + " calmkit is not a medical device or a crisis service."
    fig.text(0.06, 0.25 * inch, footer, fontsize=8.5, color="#555")
    if short:
        line(
            y + 0.1,
            "Charts appear once there are a few more sessions. Every session you answer "
            '"did that help?" for makes this page say more.',
            color="#555",
        )
        return fig
    top = 1 - (y + 0.2) * inch
    grid = fig.add_gridspec(
        3, 2, left=0.12, right=0.97, top=top, bottom=0.07, hspace=0.55, wspace=0.3
    )
    _weeks(fig.add_subplot(grid[0, 0]), report)
    _heat(fig, fig.add_subplot(grid[0, 1]), report)
    _programs(fig.add_subplot(grid[1, :]), report)
    _lengths(fig.add_subplot(grid[2, 0]), report)
    _notes(fig.add_subplot(grid[2, 1]), report)
    return fig


def _title(ax: Any, text: str) -> None:
    ax.set_title(text, fontsize=10.5, loc="left")
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _weeks(ax: Any, report: Report) -> None:
    weeks = sorted(report.weeks.items())
    ax.bar([w for w, _ in weeks], [n for _, n in weeks], width=5, color=YES_COLOUR)
    _title(ax, "Sessions a week")
    ax.xaxis.set_major_locator(_date_locator())
    ax.xaxis.set_major_formatter(_date_formatter())


def _date_locator() -> Any:
    from matplotlib.dates import AutoDateLocator

    return AutoDateLocator(maxticks=5)


def _date_formatter() -> Any:
    from matplotlib.dates import DateFormatter

    return DateFormatter("%d %b")


def _heat(fig: Any, ax: Any, report: Report) -> None:
    image = ax.imshow(report.heat, aspect="auto", cmap="Oranges", interpolation="nearest")
    _title(ax, "When: weekday × hour")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.locator = MaxNLocator(integer=True)  # sessions are whole
    bar.update_ticks()
    bar.ax.tick_params(labelsize=7)


def _programs(ax: Any, report: Report) -> None:
    ranked = sorted(report.programs.items(), key=lambda kv: (-kv[1].tried, kv[0]))
    ranked = ranked[:MOST_PROGRAMS][::-1]
    names = [name for name, _ in ranked]
    left = [0] * len(ranked)
    for label, colour, part in (
        ("helped", YES_COLOUR, "yes"),
        ("did not", NO_COLOUR, "no"),
        ("no answer", UNKNOWN_COLOUR, "unknown"),
    ):
        values = [getattr(counts, part) for _, counts in ranked]
        bars = ax.barh(names, values, left=left, color=colour, label=label)
        ax.bar_label(
            bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=8
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    _title(ax, 'Each program: tried, and "did that help?" (counts)')
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1), ncol=3)


def _lengths(ax: Any, report: Report) -> None:
    ax.bar(_lengths_labels(), report.lengths, color=NO_COLOUR)
    _title(ax, "Lengths (minutes)")


def _notes(ax: Any, report: Report) -> None:
    ax.axis("off")
    _title(ax, "Not helping, quiet time, reaching out")
    lines = []
    if report.paths:
        lines.append('"Not helping" paths:')
        for path, count in report.paths.most_common(MOST_PATHS):
            lines.append(f"  {count} × {path}")
    else:
        lines.append('"Not helping" was not used.')
    lines.append(f"Quiet time taken: {report.quiet} of {report.episodes}")
    lines.append(f"Reach-out moments: {report.reach_outs}")
    for moment in list(report.reach_out_moments)[-4:]:
        lines.append(f"  {moment:%a %d %b %Y %H:%M}")
    ax.text(0, 1, "\n".join(lines), fontsize=8.5, va="top", transform=ax.transAxes)


def _private_file(path: Path) -> Any:
    """The file, created 0600 (an existing one is overwritten and made private); a clear
    message when it cannot be (no such folder, a folder in its place, no permission), and
    never a FIFO (opened without waiting) or a device (never written, never chmodded)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK, 0o600)
    except OSError as error:
        raise CalmkitError(
            f"cannot write the report to {path} ({error.strerror or error}): "
            "choose a file in a folder you can write to"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CalmkitError(f"cannot write the report to {path}: it is not a regular file")
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def write(report: Report, path: Path, period: str, made: datetime | None = None) -> None:
    """The report as ``path`` says (.pdf, .png or .html, charts embedded as PNG)."""
    suffix = check_output(path)
    made = made or datetime.now().astimezone()
    fig = draw(report, period, made)
    if suffix == ".html":
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        page = _html(report, period, made, base64.b64encode(buffer.getvalue()).decode("ascii"))
        with _private_file(path) as out:
            out.write(page.encode("utf-8"))
        return
    with _private_file(path) as out:
        fig.savefig(out, format=suffix[1:], dpi=130)


def _html(report: Report, period: str, made: datetime, png: str) -> str:
    """A self-contained page: the sentences as text, the page as an embedded PNG."""
    sentences = "\n".join(f"<p>{html.escape(s)}</p>" for s in report.sentences())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>calmkit report</title>
<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto;color:#222}}
img{{max-width:100%}} .small{{color:#555;font-size:90%}}</style></head>
<body><h1>calmkit: what helped</h1>
<p class="small">{html.escape(period)} · made {made:%d %b %Y %H:%M}</p>
{sentences}
<img alt="the report's charts" src="data:image/png;base64,{png}">
<p class="small">{html.escape(PRIVACY)}</p>
</body></html>
"""
