"""The indicator catalogue drives the pages: every entry appears on its topic page (in its order, with its caption
filled from the entry) and on the Overview, Countries and regions and Method pages; the loader refuses an entry
that names no known page or a caption key it cannot fill. And the contributor's case: a new count indicator on an
existing measure, added to a copy of the catalogue with data only, appears on every page it belongs to."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, subprocess_env, valid
from streamlit.testing.v1 import AppTest

from siree_metrics.ingest.load import load_file
from siree_metrics.reference import REFERENCE_DIR, TOPIC_PAGES, load_reference
from ui.page import PAGES
from ui.topic import caption, on_page, target_text

# a topic page's script is the sidebar entry whose link text is the page's name ("education" -> Education)
TOPIC_SCRIPTS = {label.lower(): script for script, label, _ in PAGES if label.lower() in TOPIC_PAGES}

# teacher T1 completed a training, T2 did not (both VIVES): 1 teacher trained, 2 teachers reached (below)
TRAININGS = [valid("teacher_training", teacher_id="T1"), valid("teacher_training", teacher_id="T2", completed="no")]


def run(script: str, **query: str) -> AppTest:
    """Open ``script`` as a deep link with the URL parameters ``query``: the entrypoint is dashboard.py, as in
    the real server."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return (at if script == "dashboard.py" else at.switch_page(script)).run()


def build_db(folder: Path) -> Path:
    """A database of one valid row per indicator dataset, and the two trainings above."""
    db = folder / "small.duckdb"
    rows = {ds: [valid(ds)] for ds in {ind.dataset for ind in load_reference().indicators}}
    rows["teacher_training"] = TRAININGS
    for dataset, records in sorted(rows.items()):
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        result = load_file(db, dataset, path, loaded_by="test", today=TODAY)
        assert result.status == "loaded", result.report()
    return db


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    db = build_db(tmp_path_factory.mktemp("catalogue"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        yield db


# -- the catalogue as data ------------------------------------------------------------------------------------

def test_every_topic_page_has_its_script_and_every_entry_a_place_on_one() -> None:
    ref = load_reference()
    assert set(TOPIC_SCRIPTS) == set(TOPIC_PAGES)
    assert all((ROOT / script).exists() for script in TOPIC_SCRIPTS.values())
    for page in TOPIC_PAGES:
        orders = [ind.order for ind in on_page(ref, page)]
        assert orders and len(set(orders)) == len(orders), page  # no page without indicators, no tie
    assert sorted(ind.id for page in TOPIC_PAGES for ind in on_page(ref, page)) == sorted(i.id for i in ref.indicators)


def test_captions_fill_from_the_entry() -> None:
    for ind in load_reference().indicators:
        text = caption(ind)
        assert ind.caption and "{" not in text and "}" not in text, ind.id
    ind = load_reference().indicators[0]
    # a change of 0.20 is written "+20 %" (as the captions always wrote it); a count of 1234 "1,234"
    assert target_text(dataclasses.replace(ind, kind="relative", target=0.20)) == "+20 %"
    assert target_text(dataclasses.replace(ind, kind="count", target=1234)) == "1,234"
    filled = caption(dataclasses.replace(ind, kind="count", target=40, caption="{label} ({unit}): {target}"))
    assert filled == f"{ind.label()} ({ind.unit}): 40"


def test_page_code_names_no_target() -> None:
    ref = load_reference()
    for page, script in TOPIC_SCRIPTS.items():
        code = (ROOT / script).read_text(encoding="utf-8")
        for ind in on_page(ref, page):
            assert f"target of {target_text(ind)}" not in code and f"{target_text(ind)} on it" not in code


@pytest.mark.parametrize(("field", "value", "message"), [
    ("page", "budget", "indicator learning_communities: page 'budget' is not one of education, entrepreneurship"),
    ("caption", "{label} of {dataset}", "indicator learning_communities: caption names {dataset}; a caption may name "
                                        "only {label}, {unit}, {target}"),
])
def test_the_loader_refuses_an_unknown_page_or_caption_key(tmp_path: Path, field: str, value: str,
                                                           message: str) -> None:
    copy = shutil.copytree(REFERENCE_DIR, tmp_path / "reference")
    path = copy / "indicators.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('id = "learning_communities"')
    line = text.index(f"\n{field} = ", start) + 1
    end = text.index("\n", line)
    path.write_text(text[:line] + f"{field} = {json.dumps(value)}" + text[end:], encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_reference(copy)
    assert str(refused.value) == f"indicators.toml: {message}"


# -- every entry on every page it belongs to (AppTest) --------------------------------------------------------

@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_a_topic_page_shows_its_entries_in_order_with_their_captions(small_db: Path, page: str) -> None:
    ref = load_reference()
    at = run(TOPIC_SCRIPTS[page])  # "At a glance": every entry's heading, headline and caption, in one block
    assert not at.exception, [e.value for e in at.exception]
    glance = next(m.value for m in at.markdown if m.value.startswith("### "))
    assert [line[4:] for line in glance.splitlines() if line.startswith("### ")] == \
        [ind.label() for ind in on_page(ref, page)]
    for ind in on_page(ref, page):
        assert caption(ind) in glance, ind.id
        tab = run(TOPIC_SCRIPTS[page], show=ind.id)  # its own tab: heading, caption and chart
        assert [h.value for h in tab.subheader][:1] == [ind.label()] and caption(ind) in [c.value for c in tab.caption]
        assert tab.get("plotly_chart") or tab.info, ind.id  # its chart, or what is missing for it


def test_every_entry_appears_on_the_overview_countries_and_method_pages(small_db: Path) -> None:
    labels = [ind.label() for ind in load_reference().indicators]
    overview = run("dashboard.py")
    assert not overview.exception
    cards = " ".join(m.value for m in overview.markdown)
    assert all(label in cards for label in labels)
    countries = run("pages/4_Countries_and_regions.py")
    assert not countries.exception
    by_country = countries.get("plotly_chart")[0].proto.spec  # "Every target by country"
    assert all(json.dumps(label)[1:-1] in by_country for label in labels)
    method = run("pages/7_Method.py")
    assert not method.exception
    assert all(label in [h.value for h in method.subheader] for label in labels)


# -- a contributor adds a count indicator: data only ----------------------------------------------------------

NEW_INDICATOR = '''
[[indicator]]
id = "teachers_reached"
page = "education"
order = 6
caption = "{label}: teachers who took part in a SIREE training, finished or not, running total by country, against the target of {target}."
label_en = "Teachers reached"
label_nl = "Bereikte leerkrachten"
label_fr = "Enseignants touchés"
description = "Distinct teachers who took part in at least one SIREE training, whether they completed it or not."
unit = "teachers"
kind = "count"
target = 600
dataset = "teacher_training"
measure = "distinct"
column = "teacher_id"
date = "training_date"
'''
# the partners' shares of the 600: 80 + 120 + 30 + 80 + 90 + 80 + 60 + 30 + 30 = 600
NEW_SHARES = {"UOG": 80, "VIVES": 120, "MEDWAYPLUS": 30, "UCR": 80, "MECHELEN": 90, "ADICE": 80, "MIDDELBURG": 60,
              "ARHUS": 30, "LSF": 30}

# run in a child process, whose siree_metrics reads the copy ($SIREE_REFERENCE_DIR) from its first import
PAGES_SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
out = {}
for arg in sys.argv[1:]:  # a page's script, and after "?" a tab to open (show=)
    script, _, tab = arg.partition("?")
    at = AppTest.from_file("dashboard.py", default_timeout=60)
    if tab:
        at.query_params["show"] = tab
    at = (at if script == "dashboard.py" else at.switch_page(script)).run()
    out[arg] = {"exception": [e.value for e in at.exception],
                   "text": [x.value for kind in ("markdown", "subheader", "caption") for x in at.get(kind)],
                   "charts": [c.proto.spec for c in at.get("plotly_chart")]}
print(json.dumps(out))
"""


def test_a_new_count_indicator_is_data_only_and_appears_on_every_page(tmp_path: Path) -> None:
    copy = shutil.copytree(REFERENCE_DIR, tmp_path / "reference")
    with (copy / "indicators.toml").open("a", encoding="utf-8") as f:
        f.write(NEW_INDICATOR)
    with (copy / "partner_targets.csv").open("a", encoding="utf-8") as f:
        f.writelines(f"{partner},teachers_reached,{share}\n" for partner, share in NEW_SHARES.items())
    new = next(ind for ind in load_reference(copy).indicators if ind.id == "teachers_reached")
    assert on_page(load_reference(copy), "education")[-1] == new  # order 6: after the five of the page
    db = build_db(tmp_path)
    env = subprocess_env() | {"SIREE_REFERENCE_DIR": str(copy), "SIREE_DB": str(db)}

    # its value: T1 and T2 (VIVES) took part, T2 did not complete: 2 teachers reached, 1 teacher trained
    done = subprocess.run([sys.executable, "-m", "siree_metrics", "summary", "--db", str(db), "--format", "json"],
                          env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    values = {r["id"]: (r["value"], r["target"]) for r in json.loads(done.stdout)["indicators"]}
    assert values["teachers_reached"] == (2, 600) and values["teachers_trained"] == (1, 450)

    scripts = ["dashboard.py", "pages/2_Education.py", "pages/2_Education.py?teachers_reached",
               "pages/4_Countries_and_regions.py", "pages/7_Method.py"]
    done = subprocess.run([sys.executable, "-c", PAGES_SCRIPT, *scripts], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pages = json.loads(done.stdout.strip().splitlines()[-1])
    for script in scripts:
        assert not pages[script]["exception"], (script, done.stderr[-3000:])  # the log has the traceback
        shown = " ".join(pages[script]["text"] + pages[script]["charts"])
        assert "Teachers reached" in shown, script
    assert any("Teachers reached" in x and "target 600" in x for x in pages["dashboard.py"]["text"])  # its card
    education = " ".join(pages["pages/2_Education.py"]["text"])
    assert "### Teachers reached" in education  # its heading on "At a glance", last of the page's indicators
    assert ("Teachers reached: teachers who took part in a SIREE training, finished or not, running total by "
            "country, against the target of 600.") in education
    tab = pages["pages/2_Education.py?teachers_reached"]  # its own tab: heading, caption and its one chart
    assert "Teachers reached" in tab["text"] and len(tab["charts"]) == 1 and "Teachers reached" in tab["charts"][0]
    assert any("Teachers reached" in spec for spec in pages["pages/4_Countries_and_regions.py"]["charts"])
    assert "Teachers reached" in pages["pages/7_Method.py"]["text"]
