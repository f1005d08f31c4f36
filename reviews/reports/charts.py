"""The client report's metric charts, drawn on the server as inline SVG: a printed page and a PDF run no script, so
the store page's Chart.js cannot draw them. The data is the store page's (``health.charts.trend_charts``: each day's
value, rates in percent, and the line the metric is held to), so a chart of the report and of the store page agree.

1. One chart per metric of the report (the AHR and the rates, ``CHARTED_KINDS``) that has a value in the month.
2. The value is a solid line; a day without a value is a gap, never zero.
3. The target is a dashed line (the AHR: its "at risk" band dashed, its "critical" band dotted), so that a reader
   sees at a glance on which side of it the metric stayed; it is drawn from the same day-by-day targets.
4. The vertical axis spans the values and the targets (never a target off the chart), with a little room around.
5. Pure: values in, SVG text out; every text is escaped.
"""

from django.utils.html import escape

from health.metrics import Kind

#: The metrics the report charts: the AHR and the rates (counts and statuses are in its tables).
CHARTED_KINDS = (Kind.SCORE, Kind.RATE)
WIDTH, HEIGHT = 320, 130
#: Room for the axis labels on the left and the dates below.
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 8, 20

#: How each role of a series is drawn: stroke colour and dash pattern.
STROKES = {
    "value": ("#1d4ed8", ""),
    "target": ("#dc2626", "5 3"),
    "critical": ("#7f1d1d", "2 2"),
}


def _bounds(series):
    numbers = [value for line in series for value in line["values"] if value is not None]
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    room = (high - low) * 0.1
    return low - room, high + room


def _label(number):
    return f"{number:.2f}".rstrip("0").rstrip(".") if abs(number) < 100 else f"{number:.0f}"


def _segments(values, x_of, y_of):
    """The runs of consecutive days with a value, as lists of points (a missing day breaks the line)."""
    runs, run = [], []
    for index, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x_of(index), y_of(value)))
    if run:
        runs.append(run)
    return runs


def _path(points, stroke, dash):
    if len(points) == 1:
        (x, y), = points
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{stroke}"/>'
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{coordinates}" fill="none" stroke="{stroke}" stroke-width="1.5"{dashes}/>'


def chart_svg(chart, *, title=""):
    """``chart`` (one entry of ``health.charts.trend_charts``) as an SVG element; ``title`` names it for a screen
    reader (the report prints the metric's label above it)."""
    series = [line for line in chart["series"] if any(value is not None for value in line["values"])]
    days = len(chart["dates"])
    low, high = _bounds(series)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(index):
        return LEFT + (plot_width * index / (days - 1) if days > 1 else plot_width / 2)

    def y_of(value):
        return TOP + plot_height * (high - value) / (high - low)

    unit = chart.get("unit", "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_width}" height="{plot_height}" fill="#f8fafc" stroke="#cbd5e1"/>',
    ]
    for value in (high, low):
        parts.append(f'<text x="{LEFT - 4}" y="{y_of(value) + 3:.1f}" text-anchor="end" font-size="9" '
                     f'fill="#475569">{escape(_label(value))}{escape(unit)}</text>')
    if days:
        baseline = HEIGHT - 6
        parts.append(f'<text x="{LEFT}" y="{baseline}" font-size="9" fill="#475569">'
                     f'{escape(chart["dates"][0][5:])}</text>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{baseline}" text-anchor="end" font-size="9" fill="#475569">'
                     f'{escape(chart["dates"][-1][5:])}</text>')
    # Targets first, so that the value's line is drawn over them.
    for line in sorted(series, key=lambda line: line["role"] == "value"):
        stroke, dash = STROKES.get(line["role"], STROKES["target"])
        parts += [_path(points, stroke, dash) for points in _segments(line["values"], x_of, y_of)]
    parts.append("</svg>")
    return "".join(parts)


def legend(chart):
    """``[(label, role)]`` of ``chart``'s lines with a value: what the report prints under it."""
    return [(line["label"], line["role"]) for line in chart["series"]
            if any(value is not None for value in line["values"])]
