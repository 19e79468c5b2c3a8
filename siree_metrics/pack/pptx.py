"""The meeting pack as a PowerPoint file (16:9) with native, editable charts (python-pptx chart objects).

Slides, in order: the title (project, scope, "data as of", DEMO DATA where it applies); every target's status
(a table); per indicator its chart, status, takeaway, target, pace and coverage, then its breakdown (by
setting, by sector) where it has rows; the budget. Every slide after the title carries the "data as of"
and scope line at its foot and the DEMO DATA mark where it applies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.presentation import Presentation as Deck
from pptx.shapes.base import BaseShape
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from siree_metrics.charts import style
from siree_metrics.i18n import t, using
from siree_metrics.pack.content import Chart, Pack

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
TITLE_ONLY = 5  # the default template's "Title Only" layout
SERIES_COLOURS = ("0072B2", style.TARGET_COLOUR[1:], style.BASELINE_COLOUR[1:])  # reached/level, target, other
DEMO_RED = "B00020"


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _place(shape: BaseShape, left: int, top: int, width: int, height: int) -> None:
    """Move a layout's placeholder: the default template's layouts are drawn for a 4:3 slide."""
    shape.left, shape.top, shape.width, shape.height = Emu(left), Emu(top), Emu(width), Emu(height)


def _text(slide: Slide, left: int, top: int, width: int, height: int, lines: list[str], size: int = 16,
          bold_first: bool = False, colour: str | None = None) -> None:
    """A text box with one paragraph per line, wrapped."""
    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold_first and i == 0
        if colour:
            para.font.color.rgb = _rgb(colour)
        para.space_after = Pt(6)


def _slide(prs: Deck, pack: Pack, title: str) -> Slide:
    """A title-only slide with the pack's footer and, where it applies, the DEMO DATA mark."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = title
    _place(slide.shapes.title, Inches(0.5), Inches(0.3), WIDTH - Inches(1.0), Inches(1.0))
    for para in slide.shapes.title.text_frame.paragraphs:
        para.font.size = Pt(30)
    _text(slide, Inches(0.5), HEIGHT - Inches(0.55), Inches(10), Inches(0.4), [pack.footer], size=12,
          colour=style.MUTED_INK)
    if pack.demo:
        _text(slide, WIDTH - Inches(2.6), HEIGHT - Inches(0.55), Inches(2.2), Inches(0.4),
              [t("DEMO DATA")], size=14, bold_first=True, colour=DEMO_RED)
    return slide


def _chart(slide: Slide, chart: Chart, left: int, top: int, width: int, height: int) -> None:
    """A clustered bar chart of ``chart``: one series per series, data labels in its number format; a chart
    without categories (an empty selection reaches no country) is the words "No data for this selection"."""
    if not chart.categories:
        _text(slide, left, top, width, Inches(0.6), [t("No data for this selection")], size=16,
              colour=style.MUTED_INK)
        return
    data = CategoryChartData(number_format=chart.number_format)
    data.categories = chart.categories
    for name, values in chart.series:
        data.add_series(name, values)
    kind = XL_CHART_TYPE.BAR_CLUSTERED if len(chart.categories) > 4 else XL_CHART_TYPE.COLUMN_CLUSTERED
    # python-pptx's type hints say add_chart returns the chart and takes a ChartData; it returns the
    # graphic frame that holds the chart, and takes any chart data
    frame: Any = slide.shapes.add_chart(kind, left, top, width, height, data)  # type: ignore[arg-type]
    graphic = frame.chart
    graphic.has_title = True
    graphic.chart_title.text_frame.text = chart.title
    graphic.chart_title.text_frame.paragraphs[0].font.size = Pt(14)
    graphic.has_legend = len(chart.series) > 1
    if graphic.has_legend:
        graphic.legend.position = XL_LEGEND_POSITION.TOP
        graphic.legend.include_in_layout = False
        graphic.legend.font.size = Pt(12)
    plot = graphic.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = chart.number_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(12)
    graphic.value_axis.tick_labels.font.size = Pt(12)
    graphic.category_axis.tick_labels.font.size = Pt(12)
    if kind == XL_CHART_TYPE.BAR_CLUSTERED:
        graphic.category_axis.reverse_order = True  # largest first, from the top
    for i, s in enumerate(plot.series):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = _rgb(SERIES_COLOURS[i % len(SERIES_COLOURS)])


def _table(slide: Slide, head: list[str], rows: list[list[str]], left: int, top: int, width: int,
           widths: list[float], fills: list[str | None] | None = None, size: int = 13) -> None:
    """A table with a header row; ``fills`` colours the last cell of each row (a status)."""
    shape = slide.shapes.add_table(len(rows) + 1, len(head), Emu(left), Emu(top), Emu(width),
                                   Emu(Inches(0.4) * (len(rows) + 1)))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Emu(int(width * w))
    for i, row in enumerate([head, *rows]):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            cell.text_frame.paragraphs[0].font.size = Pt(size)
            fill = fills[i - 1] if fills and i and j == len(row) - 1 else None
            if fill:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(fill)
                cell.text_frame.paragraphs[0].font.color.rgb = _rgb(style.ink(fill))


def build_presentation(pack: Pack) -> Deck:
    """The pack's slides (see the module docstring)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    title = prs.slides.add_slide(prs.slide_layouts[0])
    title.shapes.title.text = pack.title
    _place(title.shapes.title, Inches(0.8), Inches(1.4), WIDTH - Inches(1.6), Inches(1.5))
    _place(title.placeholders[1], Inches(0.8), Inches(3.1), WIDTH - Inches(1.6), Inches(3.4))
    title.placeholders[1].text = "\n".join([pack.subtitle, pack.scope, pack.as_of_line, *pack.notes[1:]])
    for para in title.placeholders[1].text_frame.paragraphs:
        para.font.size = Pt(20)
    if pack.demo:
        _text(title, Inches(0.8), Inches(0.4), WIDTH - Inches(1.6), Inches(0.8), [pack.demo], size=20,
              bold_first=True, colour=DEMO_RED)

    summary = _slide(prs, pack, t("Where every target stands"))
    _table(summary, pack.summary_head, pack.summary_rows, Inches(0.5), Inches(1.5), WIDTH - Inches(1.0),
           [0.36, 0.13, 0.13, 0.12, 0.26], [style.STATUS_COLOURS[s] for s in pack.summary_status])
    if pack.footnote:
        _text(summary, Inches(0.5), HEIGHT - Inches(1.0), Inches(10), Inches(0.4), [pack.footnote], size=12)

    for page in pack.indicators:
        slide = _slide(prs, pack, page.label)
        _chart(slide, page.chart, Inches(0.5), Inches(1.4), Inches(7.4), Inches(5.3))
        _text(slide, Inches(8.2), Inches(1.4), Inches(4.7), Inches(0.6), [page.status_word], size=20,
              bold_first=True, colour=page.status_colour if page.status_colour != "#999999" else style.MUTED_INK)
        _text(slide, Inches(8.2), Inches(1.95), Inches(4.7), Inches(0.8), [page.takeaway], size=17, bold_first=True)
        _text(slide, Inches(8.2), Inches(2.8), Inches(4.7), Inches(3.9), page.lines, size=13)
        if page.breakdown is not None:
            extra = _slide(prs, pack, page.breakdown.title)
            _chart(extra, page.breakdown, Inches(0.5), Inches(1.4), WIDTH - Inches(1.0), Inches(5.0))
            _text(extra, Inches(0.5), Inches(6.4), Inches(12), Inches(0.4), [page.breakdown_caption], size=12)

    b = pack.budget
    slide = _slide(prs, pack, t("Budget"))
    if b.chart is not None:
        _chart(slide, b.chart, Inches(0.5), Inches(1.4), Inches(7.4), Inches(5.3))
    _text(slide, Inches(8.2), Inches(1.4), Inches(4.7), Inches(0.6), [b.status_word], size=20, bold_first=True,
          colour=b.status_colour if b.status_colour != "#999999" else style.MUTED_INK)
    _text(slide, Inches(8.2), Inches(2.0), Inches(4.7), Inches(2.0), b.lines, size=15)
    if b.by_category:
        _table(slide, [t("Category"), "EUR"], [list(row) for row in b.by_category], Inches(8.2), Inches(4.0),
               Inches(4.7), [0.5, 0.5], size=12)
    return prs


def write_pptx(pack: Pack, path: Path) -> Path:
    """Save the pack's presentation at ``path``, its own words (slide titles, "DEMO DATA") in the pack's language."""
    with using(pack.lang):
        build_presentation(pack).save(str(path))
    return path
