"""The meeting pack (siree_metrics.pack): the PowerPoint opened with python-pptx and the HTML report parsed
with html.parser, on a small inline database whose figures are worked out by hand below.

The database (as of 2021-06-30):
- learning communities: ADICE (FR) C1, C2, C3 and MECHELEN (BE) C4, all established 2019-03-15, so 4 in all:
  BE 1, FR 3, NL and UK none; the targets are the partner shares of partner_targets.csv: BE = VIVES 5 +
  MECHELEN 7 + ARHUS 3 + LSF 3 = 18, FR = ADICE 6, NL = UCR 4 + MIDDELBURG 5 = 9, UK = UOG 4 + MEDWAYPLUS 3 = 7
  (40 in all); 4 / 40 = 10% attained;
- children in school: MECHELEN reports 10 children attending in each month of the baseline year (2017-03 to
  2018-02) and 12 in each of the 12 months up to the as-of month (2020-07 to 2021-06): baseline 10, current
  12, change 12 / 10 - 1 = +20.0% against the +20% target: attainment 100%;
- one entrepreneur (UOG) whose sector is a hostile text, and one expenditure line of LSF, EUR 1,234.56 (staff).
Time elapsed: 2018-03-01 to 2021-06-30 is 1,217 days of the project's 1,401 (to 2021-12-31), 86.9%; the
communities are behind (10% / 86.9% < 0.6), the children on track (100% / 86.9% >= 0.9).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import TODAY, csv_bytes, rows_from, valid
from pptx import Presentation

from siree_metrics import cli
from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.pack import build_pack, write_pack

AS_OF = dt.date(2021, 6, 30)
HOSTILE = "<script>alert('x')</script> & \"catering\" <img src=x onerror=alert(1)>"
INDICATORS = 8  # in data/reference/indicators.toml


def _load(db: Path, tmp_path: Path, dataset: str, records: list[dict[str, object]]) -> None:
    path = tmp_path / f"{dataset}.csv"
    path.write_bytes(csv_bytes(rows_from(records)))
    result = load_file(db, dataset, path, today=TODAY)
    assert result.status == "loaded", result.report()


def _months(first: str, n: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.fixture
def small_db(db: Path, tmp_path: Path) -> Path:
    _load(db, tmp_path, "learning_communities", [
        valid("learning_communities", community_id=c) for c in ("C1", "C2", "C3")] + [
        valid("learning_communities", community_id="C4", partner_id="MECHELEN", region="BE212")])
    _load(db, tmp_path, "school_attendance", [
        valid("school_attendance", month=m, children_enrolled="20", children_attending=a)
        for months, a in ((_months("2017-03", 12), "10"), (_months("2020-07", 12), "12")) for m in months])
    _load(db, tmp_path, "startups", [valid("startups", sector=HOSTILE)])
    _load(db, tmp_path, "expenditure", [valid("expenditure")])
    return db


def _pack(db: Path, lang: str = "en", filters: Filters | None = None):  # noqa: ANN202
    with store.connect(db) as con:
        return build_pack(con, lang, filters, AS_OF)


def _write(db: Path, out: Path, lang: str = "en", filters: Filters | None = None) -> tuple[Path, Path]:
    return write_pack(_pack(db, lang, filters), out)


def _charts(slide) -> list:  # noqa: ANN001
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _series(chart) -> dict[str, list]:  # noqa: ANN001
    return {s.name: list(s.values) for s in chart.plots[0].series}


def _slide_text(slide) -> str:  # noqa: ANN001
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


class Page(HTMLParser):
    """The report's text (in order), its tags with their attributes, and its tables as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_the_pptx_has_a_slide_per_indicator_with_native_charts_of_the_summary_figures(small_db: Path,
                                                                                        tmp_path: Path) -> None:
    pptx_path, _ = _write(small_db, tmp_path / "out")
    assert pptx_path.name == "siree_pack_programme_2021-06-30.pptx"
    slides = list(Presentation(str(pptx_path)).slides)
    titles = [s.shapes.title.text for s in slides]
    # title, summary, 8 indicators, 2 breakdowns with rows (communities by setting, entrepreneurs by sector),
    # budget
    assert len(slides) == 1 + 1 + INDICATORS + 2 + 1
    assert titles[:3] == ["SIREE meeting pack", "Where every target stands", "New learning communities"]
    assert titles[3] == "New learning communities, by setting"
    assert titles[-1] == "Budget"
    assert "Whole programme" in _slide_text(slides[0]) and "Data as of 30 Jun 2021" in _slide_text(slides[0])
    assert "DEMO DATA" not in "".join(_slide_text(s) for s in slides)  # partners' files only

    # every indicator slide holds a chart object, not a picture
    with store.connect(small_db) as con:
        s = summarize(con, AS_OF)
    for r in s.indicators:
        slide = slides[titles.index(r.label)]
        assert len(_charts(slide)) == 1, r.id
        assert "Data as of 30 Jun 2021 · Whole programme" in _slide_text(slide)
        assert not any(shape.shape_type == 13 for shape in slide.shapes)  # MSO_SHAPE_TYPE.PICTURE

    communities = slides[titles.index("New learning communities")]
    chart = _charts(communities)[0]
    assert list(chart.plots[0].categories) == ["Belgium (Flanders)", "France", "Netherlands", "England (UK)"]
    # reached: BE 1, FR 3, NL and UK no rows (no bar); targets 18, 6, 9, 7 (see the module docstring)
    assert _series(chart) == {"Reached by 30 Jun 2021": [1.0, 3.0, None, None], "Target": [18.0, 6.0, 9.0, 7.0]}
    text = _slide_text(communities)
    assert "4 of 40 communities: ✖ Behind" in text  # the takeaway
    assert "attained 10% of the target" in text and "87% of the project time has passed" in text  # 1217/1401

    children = slides[titles.index("Children in school")]
    # baseline 10, last 12 months 12, target level 10 x (1 + 20%) = 12
    assert _series(_charts(children)[0]) == {"Level": [10.0, 12.0, pytest.approx(12.0)]}
    assert "+20.0% against a target of +20%: ● On track" in _slide_text(children)

    budget = slides[-1]
    # spent 1,234.56; even pace 4,880,802 x 1217 / 1401 = 5,939,936,034 / 1401 = 4,239,783.036 -> 4,239,783.04
    # (to the cent, half up); budget 4,880,802
    assert _series(_charts(budget)[0]) == {"EUR": [1234.56, 4239783.04, 4880802.0]}
    assert "Spent EUR 1,234.56 of EUR 4,880,802.00 (0%)" in _slide_text(budget)

    summary = slides[1]
    table = next(shape.table for shape in summary.shapes if shape.has_table)
    rows = [[table.cell(i, j).text for j in range(5)] for i in range(len(table.rows))]
    assert rows[0] == ["Indicator", "Value", "Target", "Attained", "Status"]
    assert ["New learning communities", "4", "40", "10%", "✖ Behind"] in rows
    assert ["Children in school", "+20.0%", "+20%", "100%", "● On track"] in rows
    assert len(rows) == 1 + INDICATORS


def test_a_dutch_pack_names_the_indicators_in_dutch(small_db: Path, tmp_path: Path) -> None:
    pptx_path, html_path = _write(small_db, tmp_path / "out", "nl", Filters(countries=("BE",)))
    assert pptx_path.name == "siree_pack_BE_2021-06-30.pptx" and html_path.name == "siree_pack_BE_2021-06-30.html"
    slides = list(Presentation(str(pptx_path)).slides)
    titles = [s.shapes.title.text for s in slides]
    assert "Nieuwe leergemeenschappen" in titles and "Kinderen op school" in titles
    assert "New learning communities" not in titles
    assert "België (Vlaanderen)" in _slide_text(slides[0]) and "Gegevens op 30 jun 2021" in _slide_text(slides[0])
    chart = _charts(slides[titles.index("Nieuwe leergemeenschappen")])[0]
    assert _series(chart) == {"Bereikt op 30 jun 2021": [1.0], "Doel": [18.0]}  # Belgium only: MECHELEN's C4
    page = _parse(html_path)
    assert ("html", {"lang": "nl"}) in page.tags
    assert "Nieuwe leergemeenschappen" in page.text
    summary = page.tables[0]
    assert ["Nieuwe leergemeenschappen", "1", "18*", "6%", "✖ Achter op schema"] in summary  # 1 / 18 = 5.6%


# Sentences of the English pack of small_db (whole programme) and their hand-written translations (pack.toml,
# interface.toml): the takeaway of the communities (4 of the 40 targeted), their target line, the children's
# pace (1,217 of 1,401 days: 87%; attainment 100%), and the budget slide's title.
ENGLISH = ["4 of 40 communities: ✖ Behind", "Target: 40 communities",
           "Pace: 87% of the project time has passed; attained 100% of the target", "Where every target stands"]
TRANSLATED = {
    "nl": ["4 van 40 gemeenschappen: ✖ Achter op schema", "Doel: 40 gemeenschappen",
           "Tempo: 87% van de projecttijd is verstreken; 100% van het doel bereikt", "Waar elk doel staat"],
    "fr": ["4 sur 40 communautés : ✖ En retard", "Objectif : 40 communautés",
           "Rythme : 87\u00a0% de la durée du projet est écoulé ; 100\u00a0% de l'objectif atteint",
           "Où en est chaque objectif"],
}


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_dutch_or_french_pack_holds_no_english_sentence(small_db: Path, tmp_path: Path, lang: str) -> None:
    english_pptx, english_html = _write(small_db, tmp_path / "en")
    pptx_path, html_path = _write(small_db, tmp_path / lang, lang)
    english = "\n".join(_slide_text(s) for s in Presentation(str(english_pptx)).slides)
    text = "\n".join(_slide_text(s) for s in Presentation(str(pptx_path)).slides)
    report = " ".join(_parse(html_path).text)
    for sentence in ENGLISH:
        assert sentence in english or sentence in " ".join(_parse(english_html).text), sentence
        assert sentence not in text and sentence not in report, sentence
    for sentence in TRANSLATED[lang]:
        assert sentence in text or sentence in report, sentence
    assert "Why this date" not in text + report and "Coverage:" not in text + report


def test_the_html_report_is_self_contained_with_the_same_figures_and_escapes_text(small_db: Path,
                                                                                  tmp_path: Path) -> None:
    _, html_path = _write(small_db, tmp_path / "out")
    raw = html_path.read_text(encoding="utf-8")
    page = _parse(html_path)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "img" not in tags and "link" not in tags and "iframe" not in tags
    assert not re.search(r"https?://", raw, re.IGNORECASE)
    assert "<style>" in raw and "@media print" in raw and "break-inside: avoid" in raw
    assert tags.count("svg") >= INDICATORS + 1  # a drawn chart per indicator and the budget

    # the hostile sector is shown as text: escaped in the file, the same characters once parsed
    assert HOSTILE in "".join(page.text)
    assert "<script>" not in raw and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in raw

    summary = page.tables[0]
    assert summary[0] == ["Indicator", "Value", "Target", "Attained", "Status"]
    assert ["New learning communities", "4", "40", "10%", "✖ Behind"] in summary
    assert ["Children in school", "+20.0%", "+20%", "100%", "● On track"] in summary
    # the figures behind the communities chart (see the module docstring); "—" where a country has no rows
    assert [["", "Reached by 30 Jun 2021", "Target"], ["Belgium (Flanders)", "1", "18"], ["France", "3", "6"],
            ["Netherlands", "—", "9"], ["England (UK)", "—", "7"]] in page.tables
    assert [["", "Level"], ["Baseline year", "10"], ["Last 12 months", "12"], ["Target level", "12"]] in page.tables
    assert [["", "EUR"], ["Spent", "EUR 1,235"], ["Even pace by now", "EUR 4,239,783"],
            ["Budget", "EUR 4,880,802"]] in page.tables
    text = " ".join(page.text)
    assert "4 of 40 communities: ✖ Behind" in text and "Data as of 30 Jun 2021 · Whole programme" in text
    assert "DEMO DATA" not in text


def test_a_demo_database_is_marked_on_every_slide_and_in_the_report(small_db: Path, tmp_path: Path) -> None:
    with store.connect(small_db, write=True) as con:
        store.set_meta(con, store.DEMO_BUILD, "in_progress")  # a demo build under way counts as demo data
    pptx_path, html_path = _write(small_db, tmp_path / "out")
    slides = list(Presentation(str(pptx_path)).slides)
    assert all("DEMO DATA" in _slide_text(s) for s in slides)
    page = _parse(html_path)
    sections = sum(1 for t, _ in page.tags if t == "section")
    assert " ".join(page.text).count("DEMO DATA") >= sections  # the banner and every section's foot


def test_an_empty_selection_gives_a_pack_that_says_so(small_db: Path, tmp_path: Path) -> None:
    # MECHELEN is a Belgian partner: with France it matches nothing, so no country, no chart data, no budget
    pptx_path, html_path = _write(small_db, tmp_path / "out", filters=Filters(("FR",), (), ("MECHELEN",)))
    assert pptx_path.name == "siree_pack_FR-MECHELEN_2021-06-30.pptx"
    slides = list(Presentation(str(pptx_path)).slides)
    assert len(slides) == 1 + 1 + INDICATORS + 1  # no breakdown slides
    assert "The selection is empty" in _slide_text(slides[0])
    assert "No data for this selection" in _slide_text(slides[2])
    text = " ".join(_parse(html_path).text)
    assert "○ Empty selection" in text and "The filters cover no partner" in text


def test_an_unknown_language_is_refused(small_db: Path) -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        _pack(small_db, "de")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    def call(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return call


def test_the_pack_command_writes_both_files_and_prints_their_paths(small_db: Path, tmp_path: Path, run) -> None:  # noqa: ANN001
    out = tmp_path / "pack"
    code, stdout, _ = run("pack", "--db", small_db, "--lang", "fr", "--region", "BE212", "--as-of", "2021-06-30",
                          "--out", out)
    assert code == 0
    assert stdout.splitlines() == [str(out / "siree_pack_BE212_2021-06-30.pptx"),
                                   str(out / "siree_pack_BE212_2021-06-30.html")]
    titles = [s.shapes.title.text for s in Presentation(str(out / "siree_pack_BE212_2021-06-30.pptx")).slides]
    assert "Nouvelles communautés d'apprentissage" in titles
    page = _parse(out / "siree_pack_BE212_2021-06-30.html")
    assert "Arr. Mechelen (BE212)" in page.text


@pytest.mark.parametrize("args, message", [
    (("--country", "DE"), "unknown country 'DE'"),
    (("--lang", "de"), "invalid choice: 'de'"),
])
def test_the_pack_command_refuses_bad_usage(small_db: Path, tmp_path: Path, run, args: tuple[str, ...],  # noqa: ANN001
                                            message: str) -> None:
    code, _, err = run("pack", "--db", small_db, "--out", tmp_path / "pack", *args)
    assert code == 2 and message in err
    assert not (tmp_path / "pack").exists()


def test_the_pack_command_refuses_a_file_as_its_folder(small_db: Path, tmp_path: Path, run) -> None:  # noqa: ANN001
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("keep me")
    code, _, err = run("pack", "--db", small_db, "--out", not_a_folder)
    assert code == 2 and "is a file; give a folder" in err
    assert not_a_folder.read_text() == "keep me"


def test_the_pack_command_refuses_a_missing_database(tmp_path: Path, run) -> None:  # noqa: ANN001
    code, _, err = run("pack", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "pack")
    assert code == 2 and "there is no database" in err
    assert not (tmp_path / "none.duckdb").exists()
