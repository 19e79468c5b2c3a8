"""The meeting pack as one self-contained HTML file: inline CSS, charts as inline SVG drawn here, no script,
no external resource, so it opens offline and prints to PDF from a browser (A4 landscape, one section per
page, a chart never split).

The sections follow the slides (see ``pack.pptx``), each short enough for one A4 landscape page (measured
with Chromium's print layout on the demo data: at most 600 of the 700 px); each chart is followed by
the table of its figures.
Every text, whatever its origin (a partner's sector, a note), is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path

from siree_metrics.charts import style
from siree_metrics.i18n import t, using
from siree_metrics.pack.content import Chart, Pack

SERIES_COLOURS = ("#0072B2", style.TARGET_COLOUR, style.BASELINE_COLOUR)  # as in the PowerPoint
LABEL_W, BAR_W, VALUE_W = 230, 440, 130  # the SVG's columns: category, bars, figure
BAR_H, GAP = 22, 12

CSS = """
:root { color: #222; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
body { margin: 0 auto; max-width: 1100px; padding: 16px; line-height: 1.4; }
section { border-top: 1px solid #ccc; padding: 12px 0 20px; }
h1 { font-size: 2rem; margin: 0.2em 0; } h2 { font-size: 1.5rem; margin: 0.2em 0; }
.demo { background: #B00020; color: #fff; font-weight: bold; padding: 6px 10px; display: inline-block; }
.status { display: inline-block; padding: 3px 10px; border-radius: 4px; font-weight: bold; }
.takeaway { font-size: 1.25rem; font-weight: bold; margin: 0.4em 0; }
.foot { color: #555; font-size: 0.9rem; margin-top: 8px; }
.chart { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.chart svg { width: 100%; max-width: 800px; height: auto; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1 { font-size: 20pt; } h2 { font-size: 15pt; } .takeaway { font-size: 12pt; }
  section { border-top: none; padding: 0; }
  .chart svg { width: 150mm; }
  th, td { padding: 2px 6px; }
  section { break-after: page; page-break-after: always; break-inside: avoid; page-break-inside: avoid; }
  section:last-of-type { break-after: auto; page-break-after: auto; }
  svg, table, .chart { break-inside: avoid; page-break-inside: avoid; }
  .status, .demo { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


def e(text: object) -> str:
    """``text`` escaped for HTML text and attribute values (quotes too)."""
    return html.escape(str(text), quote=True)


def svg_bars(chart: Chart) -> str:
    """Horizontal bars, one group per category and one bar per series, each with its figure; a missing value
    draws no bar and writes "—". The longest bar is the largest value."""
    values = [v for _, vs in chart.series for v in vs if v is not None]
    top = max([abs(v) for v in values] + [0.0])
    per_group = len(chart.series) * BAR_H + GAP
    height = len(chart.categories) * per_group + (30 if len(chart.series) > 1 else 0)
    width = LABEL_W + BAR_W + VALUE_W
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{e(chart.title)}" font-size="16">']
    y0 = 0
    if len(chart.series) > 1:  # legend
        x = LABEL_W
        for k, (name, _) in enumerate(chart.series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            out.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{colour}"/>'
                       f'<text x="{x + 20}" y="18">{e(name)}</text>')
            x += 30 + 8 * len(name)
        y0 = 30
    for i, category in enumerate(chart.categories):
        y = y0 + i * per_group
        out.append(f'<text x="{LABEL_W - 8}" y="{y + len(chart.series) * BAR_H / 2 + 5:.0f}" '
                   f'text-anchor="end">{e(category)}</text>')
        for k, (_, vs) in enumerate(chart.series):
            v = vs[i]
            w = 0.0 if v is None or not top else abs(v) / top * BAR_W
            yb = y + k * BAR_H
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            out.append(f'<rect x="{LABEL_W}" y="{yb + 2}" width="{w:.1f}" height="{BAR_H - 4}" fill="{colour}"/>'
                       f'<text x="{LABEL_W + w + 6:.1f}" y="{yb + BAR_H - 6}">{e(chart.show(v))}</text>')
    out.append("</svg>")
    return "".join(out)


def data_table(chart: Chart) -> str:
    """The chart's figures as a table: a row per category, a column per series."""
    head = "".join(f"<th>{e(name)}</th>" for name, _ in chart.series)
    rows = "".join(f"<tr><th>{e(c)}</th>" + "".join(f'<td class="num">{e(chart.show(vs[i]))}</td>'
                                                      for _, vs in chart.series) + "</tr>"
                   for i, c in enumerate(chart.categories))
    return f'<table class="data"><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _chart(chart: Chart) -> str:
    if not chart.categories:  # an empty selection reaches no country
        return f'<p class="foot">{e(t("No data for this selection"))}</p>'
    return (f'<figure class="chart"><figcaption>{e(chart.title)}</figcaption>{svg_bars(chart)}'
            f"{data_table(chart)}</figure>")


def _status(word: str, colour: str) -> str:
    return f'<span class="status" style="background:{e(colour)};color:{e(style.ink(colour))}">{e(word)}</span>'


def _foot(pack: Pack) -> str:
    mark = f' · <span class="demo">{e(t("DEMO DATA"))}</span>' if pack.demo else ""
    return f'<p class="foot">{e(pack.footer)}{mark}</p>'


def render(pack: Pack) -> str:
    """The whole report as one HTML document (see the module docstring)."""
    parts = [f'<!doctype html><html lang="{e(pack.lang)}"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{e(pack.title)} · {e(pack.scope)} · {e(pack.as_of_line)}</title><style>{CSS}</style></head><body>"]
    demo = f'<p class="demo">{e(pack.demo)}</p>' if pack.demo else ""
    notes = "".join(f"<p>{e(n)}</p>" for n in pack.notes)
    parts.append(f'<section class="title">{demo}<h1>{e(pack.title)}</h1><p>{e(pack.subtitle)}</p>'
                 f"<p><strong>{e(pack.scope)}</strong></p><p><strong>{e(pack.as_of_line)}</strong></p>{notes}</section>")

    head = "".join(f"<th>{e(h)}</th>" for h in pack.summary_head)
    rows = "".join("<tr>" + "".join(f'<td class="num">{e(c)}</td>' if 0 < j < len(row) - 1 else
                                    f"<td>{_status(c, style.STATUS_COLOURS[status])}</td>" if j == len(row) - 1 else
                                    f"<td>{e(c)}</td>" for j, c in enumerate(row)) + "</tr>"
                   for row, status in zip(pack.summary_rows, pack.summary_status, strict=True))
    foot = f"<p>{e(pack.footnote)}</p>" if pack.footnote else ""
    parts.append(f'<section class="summary"><h2>{e(t("Where every target stands"))}</h2>'
                 f'<table class="summary"><thead><tr>'
                 f"{head}</tr></thead><tbody>{rows}</tbody></table>{foot}{_foot(pack)}</section>")

    for page in pack.indicators:
        lines = "".join(f"<li>{e(line)}</li>" for line in page.lines)
        parts.append(f'<section class="indicator" id="{e(page.id)}"><h2>{e(page.label)}</h2>'
                     f"<p>{_status(page.status_word, page.status_colour)}</p>"
                     f'<p class="takeaway">{e(page.takeaway)}</p><ul>{lines}</ul>{_chart(page.chart)}'
                     f"{_foot(pack)}</section>")
        if page.breakdown is not None:  # a section of its own, as a slide of its own: one printed page each
            parts.append(f'<section class="breakdown"><h2>{e(page.breakdown.title)}</h2>{_chart(page.breakdown)}'
                         f"<p>{e(page.breakdown_caption)}</p>{_foot(pack)}</section>")

    b = pack.budget
    lines = "".join(f"<li>{e(line)}</li>" for line in b.lines)
    chart = _chart(b.chart) if b.chart is not None else ""
    categories = ""
    if b.by_category:
        body = "".join(f'<tr><td>{e(k)}</td><td class="num">{e(v)}</td></tr>' for k, v in b.by_category)
        categories = (f'<table class="categories"><caption>{e(t("Spent by cost category"))}</caption><thead><tr>'
                      f'<th>{e(t("Category"))}</th><th>EUR</th></tr></thead><tbody>{body}</tbody></table>')
    parts.append(f'<section class="budget"><h2>{e(t("Budget"))}</h2><p>{_status(b.status_word, b.status_colour)}'
                 f"</p><ul>{lines}</ul>{chart}{categories}{_foot(pack)}</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(pack: Pack, path: Path) -> Path:
    """Write the report at ``path`` in UTF-8, its own words (headings, "DEMO DATA") in the pack's language."""
    with using(pack.lang):
        path.write_text(render(pack), encoding="utf-8")
    return path
