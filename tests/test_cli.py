"""The command line: exit codes, where messages go, the JSON shape of ``summary`` and the raw ``export``.

Most cases call ``cli.main`` in-process (fast; an escaping exception would fail the test the way a
traceback would reach the user); a few run ``python -m siree_metrics`` for real.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from helpers import ROOT, csv_bytes, rows_from, subprocess_env, valid

from siree_metrics import cli
from siree_metrics.accounts import User
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract


@pytest.fixture
def run(capsys):
    """run(*args) -> (exit code, stdout, stderr) of ``cli.main`` in this process."""

    def call(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()  # only this call's output
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out
        return code, out, err

    return call


def python_m(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "siree_metrics", *map(str, args)], capture_output=True, text=True,
                          env=env or subprocess_env(), cwd=ROOT, timeout=60)
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture
def good(write_csv):
    return write_csv(rows_from([valid("networks"), valid("networks", network_id="N002", launched_on="01/06/2019")]),
                     name="good.csv")


@pytest.fixture
def bad(write_csv):
    return write_csv(rows_from([valid("networks", network_id="N9", members="c"), valid("networks", network_id="N10")]),
                     name="bad.csv")


# -- load -------------------------------------------------------------------------------------------------------

def test_load_accepted_file_exits_0(db, good):
    proc = python_m("load", "--db", db, "--dataset", "networks", good)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{good}: loaded 2 rows as batch 1 (CSV, UTF-8, comma-separated)\n"
    assert proc.stderr == ""


def test_load_refused_file_exits_1_with_problems_on_stderr(db, bad):
    proc = python_m("load", "--db", db, "--dataset", "networks", bad)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0] == f"{bad}:2: members: 'c' is a suppression mark; the dashboard needs the exact figure"
    assert lines[-1] == f"{bad}: refused (1 problem): nothing was loaded from this file"


def test_each_file_stands_alone(run, db, good, bad, query):
    code, out, err = run("load", "--db", db, "--dataset", "networks", bad, good)
    assert code == 1
    assert f"{good}: loaded 2 rows" in out
    assert f"{bad}:2: members:" in err
    assert query("select network_id from networks order by 1") == [("N001",), ("N002",)]


def test_reloading_the_same_file_exits_0_and_says_so(run, db, good):
    assert run("load", "--db", db, "--dataset", "networks", good)[0] == 0
    code, out, _ = run("load", "--db", db, "--dataset", "networks", good)
    assert code == 0
    assert "already loaded as batch 1" in out and "nothing changed" in out


def test_unknown_column_warning_goes_to_stderr(run, db, write_csv):
    path = write_csv(rows_from([valid("networks", remarks="x")]), name="w.csv")
    code, out, err = run("load", "--db", db, "--dataset", "networks", path)
    assert code == 0
    assert err == f"warning: {path}: column 'remarks' is not part of the networks data and was ignored\n"


def test_many_problems_are_listed_on_stderr(run, db, write_csv):
    path = write_csv(rows_from([valid("networks", network_id=f"N{i}", launched_on="2016-01-01") for i in range(80)]),
                     name="m.csv")
    code, out, err = run("load", "--db", db, "--dataset", "networks", path)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith(f"{path}:")]
    assert len(lines) >= 50
    assert lines[0] == f"{path}:2: launched_on: '2016-01-01' is before the project start (2018-03-01): only results of the project count"
    assert err.splitlines()[-1] == f"{path}: refused (80 problems): nothing was loaded from this file"


@pytest.mark.parametrize("content", [bytes(range(256)) * 8, b"%PDF-1.5\n", b""])
def test_not_a_table_is_refused_with_one_line(run, db, write_bytes, content):
    path = write_bytes(content, "upload.csv")
    code, out, err = run("load", "--db", db, "--dataset", "networks", path)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{path}: ")
    assert lines[1] == f"{path}: refused (1 problem): nothing was loaded from this file"


def test_load_uses_siree_db_when_no_db_is_given(tmp_path, good):
    env = subprocess_env()
    env["SIREE_DB"] = str(tmp_path / "from-env.duckdb")
    proc = python_m("load", "--dataset", "networks", good, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "from-env.duckdb").exists()


# -- bad usage ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["load", "--dataset", "pupils", "{good}"],
    ["load", "--dataset", "networks"],
    ["load", "{good}"],
    ["summary", "--as-of", "2019-13-01"],
    ["summary", "--as-of", "31/12/2019"],
    ["summary", "--country", "DE"],
    ["summary", "--partner", "ACME"],
    ["summary", "--region", "ZZ999"],
    ["summary", "--format", "xml"],
    ["export", "--dataset", "pupils"],
    ["export"],
    [],
    ["frobnicate"],
], ids=lambda a: " ".join(a) or "no-command")
def test_bad_usage_exits_2(run, db, good, args):
    args = [a.replace("{good}", str(good)) for a in args]
    code, out, err = run(*args[:1], *(["--db", db] if args and args[0] in cli.COMMANDS else []), *args[1:])
    assert code == 2
    assert err.strip(), "bad usage must say what is wrong"
    assert out == ""


def test_bad_usage_for_real(db):
    with store.connect(db, write=True):  # an empty database
        pass
    proc = python_m("summary", "--db", db, "--country", "XX")
    assert proc.returncode == 2
    assert "unknown country 'XX'" in proc.stderr


def test_db_that_is_not_a_database_is_bad_usage(run, tmp_path):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("not a database")
    code, _, err = run("summary", "--db", not_db)
    assert code == 2
    assert "fault in the SIREE tool" not in err


# -- summary --------------------------------------------------------------------------------------------------

INDICATOR_KEYS = {"id", "value", "target", "baseline", "current", "attainment", "expected", "status", "forecast"}


def _load_some(db, tmp_path):
    for dataset, records in {
        "networks": [valid("networks"), valid("networks", network_id="N2", partner_id="ADICE", region="FRE11",
                                              launched_on="2019-05-14")],
        "expenditure": [valid("expenditure", amount_eur="1.000,50")],
    }.items():
        path = tmp_path / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        assert cli.main(["load", "--db", str(db), "--dataset", dataset, str(path)]) == 0


def test_summary_json_shape(run, db, tmp_path):
    _load_some(db, tmp_path)
    code, out, err = run("summary", "--db", db, "--as-of", "2019-06-30", "--country", "fr", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"as_of", "filters", "indicators", "budget"}
    assert data["as_of"] == "2019-06-30"
    assert data["filters"] == {"country": "FR", "region": None, "partner": None}
    ids = [i["id"] for i in data["indicators"]]
    assert ids == ["learning_communities", "parent_involvement", "children_in_school", "adult_education_inflow",
                   "teachers_trained", "new_entrepreneurs", "jobs_created", "support_networks"]
    for ind in data["indicators"]:
        assert set(ind) >= INDICATOR_KEYS, ind["id"]
        assert ind["status"] in ("achieved", "on_track", "at_risk", "behind", "no_data", "baseline_missing")
    networks = data["indicators"][-1]
    assert (networks["value"], networks["status"]) == (1, "achieved")  # ADICE's N2, against ADICE's share
    assert set(data["budget"]) >= {"total_eur", "erdf_eur", "spent_eur"}
    assert data["budget"]["spent_eur"] == 0  # the expenditure line is LSF's (BE)


def test_summary_json_relative_value_is_the_change(run, db, tmp_path):
    rows = [["partner_id", "region", "provider_id", "month", "new_enrolments"],
            ["ARHUS", "BE256", "P", "2017-06", "100"], ["ARHUS", "BE256", "P", "2019-06", "113"]]
    path = tmp_path / "ae.csv"
    path.write_bytes(csv_bytes(rows))
    assert run("load", "--db", db, "--dataset", "adult_education", path)[0] == 0
    code, out, _ = run("summary", "--db", db, "--as-of", "2019-06-30", "--format", "json")
    inflow = next(i for i in json.loads(out)["indicators"] if i["id"] == "adult_education_inflow")
    assert inflow["value"] == pytest.approx(0.13)
    assert (inflow["baseline"], inflow["current"]) == (100, 113)
    assert inflow["target"] == pytest.approx(0.10)


def test_summary_default_as_of_is_the_end_of_the_latest_month_with_data(run, db, tmp_path):
    _load_some(db, tmp_path)  # the latest date is 2019-05-14
    data = json.loads(run("summary", "--db", db, "--format", "json")[1])
    # the as-of rule: (networks, MIDDELBURG) 2019-03, (networks, ADICE) 2019-05, (expenditure, LSF) 2019-03;
    # newest first 2019-05, 2019-03, 2019-03: the 2nd newest (index 3 // 2 = 1) is 2019-03, which all 3 reached
    assert data["as_of"] == "2019-03-31"
    assert data["as_of_reason"].startswith("the latest month that most partner datasets have reached (3 of 3")
    assert data["filters"] == {"country": None, "region": None, "partner": None}
    assert data["budget"]["total_eur"] == 4_880_802 and data["budget"]["erdf_eur"] == 2_928_481
    assert data["budget"]["spent_eur"] == pytest.approx(1000.50)


def test_summary_table_for_real(db, tmp_path):
    _load_some(db, tmp_path)
    proc = python_m("summary", "--db", db, "--as-of", "2019-06-30")
    assert proc.returncode == 0, proc.stderr
    assert "SIREE attainment as of 30 Jun 2019" in proc.stdout
    assert "Support networks" in proc.stdout and "Budget:" in proc.stdout


def test_summary_on_a_new_empty_database(run, db):
    with store.connect(db, write=True):  # created, nothing loaded
        pass
    code, out, _ = run("summary", "--db", db, "--format", "json")
    assert code == 0
    data = json.loads(out)
    counts = [i for i in data["indicators"] if i["id"] in ("learning_communities", "support_networks")]
    assert all(i["value"] is None and i["status"] == "no_data" for i in counts)  # no rows: no value
    assert data["budget"]["spent_eur"] == 0


# -- export ---------------------------------------------------------------------------------------------------

def test_export_prints_the_text_as_it_arrived(db, write_csv):
    records = [valid("school_attendance", month="03/2019", region="be212", partner_id="mechelen",
                     children_enrolled="20,0"),
               valid("school_attendance", school_id="007", month="15.04.2019")]
    path = write_csv(rows_from(records), delimiter=";")
    assert python_m("load", "--db", db, "--dataset", "school_attendance", path).returncode == 0
    proc = python_m("export", "--db", db, "--dataset", "school_attendance")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0]) == list(load_contract()["school_attendance"].columns)
    assert [(r["month"], r["region"], r["partner_id"], r["children_enrolled"], r["school_id"]) for r in rows] == [
        ("03/2019", "be212", "mechelen", "20,0", "0590001A"), ("15.04.2019", "BE212", "MECHELEN", "20", "007")]


def test_export_shows_only_the_newest_version_of_each_key(run, db, write_csv, tmp_path):
    run("load", "--db", db, "--dataset", "expenditure", write_csv(rows_from([valid("expenditure")]), name="a.csv"))
    run("load", "--db", db, "--dataset", "expenditure",
        write_csv(rows_from([valid("expenditure", amount_eur="1.234,00")]), name="b.csv"))
    out = tmp_path / "out.csv"
    code, _, err = run("export", "--db", db, "--dataset", "expenditure", "--out", out)
    assert code == 0
    assert err == f"{out}: 1 rows of expenditure\n"
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["amount_eur"] for r in rows] == ["1.234,00"]


def test_export_gives_empty_cells_back_empty(run, db, write_csv, tmp_path):
    run("load", "--db", db, "--dataset", "startups",
        write_csv(rows_from([valid("startups", jobs_created="")]), name="s.csv"))
    run("load", "--db", db, "--dataset", "expenditure",
        write_csv(rows_from([valid("expenditure", region="")]), name="e.csv"))
    startups = list(csv.DictReader(io.StringIO(run("export", "--db", db, "--dataset", "startups")[1])))
    expenditure = list(csv.DictReader(io.StringIO(run("export", "--db", db, "--dataset", "expenditure")[1])))
    assert startups[0]["jobs_created"] == ""
    assert expenditure[0]["region"] == ""


# -- a missing database, reference errors, a closed pipe, an older database -----------------------------------

@pytest.mark.parametrize("command", [["summary"], ["export", "--dataset", "networks"]])
def test_read_commands_refuse_a_missing_database(run, tmp_path, command):
    mistyped = tmp_path / "sire.duckdb"
    code, out, err = run(command[0], "--db", mistyped, *command[1:])
    assert code == 2
    assert out == ""
    assert err == (f"error: there is no database at {mistyped}; give the right --db (or set SIREE_DB), or create "
                   "one with 'python -m siree_metrics load' or 'python -m siree_metrics demo'\n")
    assert not list(tmp_path.iterdir())  # nothing created: no database, no lock file


def test_load_creates_a_missing_database(run, tmp_path, good):
    db = tmp_path / "new" / "siree.duckdb"
    assert run("load", "--db", db, "--dataset", "networks", good)[0] == 0
    assert run("summary", "--db", db)[0] == 0


def _reference_copy(tmp_path, edit):
    """A copy of data/reference with contract.toml passed through ``edit``, as a contributor would change it."""
    import shutil

    copy = tmp_path / "reference"
    shutil.copytree(ROOT / "data" / "reference", copy)
    path = copy / "contract.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return copy


@pytest.mark.parametrize("command", [["summary"], ["load", "--dataset", "networks", "x.csv"], ["docs"]])
def test_a_contract_error_is_one_line_naming_the_file_and_entry(tmp_path, command):
    # members becomes a type the contract does not know: every command stops while building its arguments
    copy = _reference_copy(tmp_path, lambda text: text.replace(
        '[columns.members]\ntype = "count"', '[columns.members]\ntype = "number"'))
    env = {**subprocess_env(), "SIREE_REFERENCE_DIR": str(copy)}
    proc = python_m(*command, "--db", tmp_path / "siree.duckdb", env=env) if command[0] != "docs" else \
        python_m(*command, env=env)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {copy / 'contract.toml'}: column members: unknown type 'number'\n"
    assert proc.stdout == ""


def test_a_catalogue_error_is_one_line_too(tmp_path):
    copy = _reference_copy(tmp_path, lambda text: text)
    catalogue = copy / "indicators.toml"  # the first indicator's measure becomes one nobody declared
    text = catalogue.read_text(encoding="utf-8")
    start = text.index("measure = ")
    catalogue.write_text(text[:start] + 'measure = "median"' + text[text.index("\n", start):], encoding="utf-8")
    proc = python_m("summary", "--db", tmp_path / "siree.duckdb", env={**subprocess_env(), "SIREE_REFERENCE_DIR": str(copy)})
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "indicators.toml" in proc.stderr and "median" in proc.stderr


def test_summary_into_a_closed_pipe_ends_quietly(db, tmp_path):
    _load_some(db, tmp_path)
    # as `summary | head -1` when head has gone: the reading end is closed before the summary is printed
    proc = subprocess.Popen([sys.executable, "-m", "siree_metrics", "summary", "--db", str(db)], cwd=ROOT,
                            env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""  # no "fault in the SIREE tool", no "Exception ignored", no traceback


def test_summary_brings_a_database_from_before_jobs_reported_on_up_to_date(run, db, write_csv):
    jobs = write_csv(rows_from([valid("startups", jobs_created="3")]), name="startups.csv")
    assert run("load", "--db", db, "--dataset", "startups", jobs)[0] == 0
    with store.connect(db, write=True) as con:  # as an earlier version made it
        for table in ("startups", "startups_replaced"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN jobs_reported_on")
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    code, out, err = run("summary", "--db", db, "--as-of", "2021-12-31", "--format", "json")
    assert code == 0, err
    jobs_created = {i["id"]: i for i in json.loads(out)["indicators"]}["jobs_created"]
    assert jobs_created["value"] == 3  # the one row's 3 jobs, reported at its registration (no report date)


# -- accounts, backup and restore (the operator's commands) ---------------------------------------------------------

PASSWORD = "correct horse battery"


def user(run, monkeypatch, *args, password: str = PASSWORD):  # noqa: ANN001, ANN201
    """``user ...`` with ``password`` on standard input (the first line; --password-stdin reads only that)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return run("user", *args)


def test_user_add_list_passwd_remove(run, monkeypatch, db):
    from siree_metrics import accounts

    code, out, err = user(run, monkeypatch, "add", "Ann", "--role", "admin", "--db", db, "--password-stdin")
    assert code == 0, err
    assert out == f"added admin account ann (in {accounts.accounts_path(db)})\n"
    code, out, err = user(run, monkeypatch, "add", "bob", "--role", "partner", "--partner", "mechelen", "--db", db,
                          "--password-stdin")
    assert (code, out.split(" (in")[0]) == (0, "added partner account bob for partner MECHELEN")
    code, out, _ = run("user", "list", "--db", db)
    assert (code, out.splitlines()) == (0, [f"{'ann':<32} admin    -", f"{'bob':<32} partner  MECHELEN"])
    assert accounts.login(db, "bob", PASSWORD).partner_id == "MECHELEN"
    code, out, _ = user(run, monkeypatch, "passwd", "bob", "--db", db, "--password-stdin", password="a new long one")
    assert (code, out) == (0, "new password set for bob\n")
    assert accounts.login(db, "bob", "a new long one").name == "bob"
    assert run("user", "remove", "BOB", "--db", db)[:2] == (0, "removed account bob\n")
    assert [n for n, *_ in accounts.listing(db)] == ["ann"]


@pytest.mark.parametrize(("args", "password", "says"), [
    (("add", "ann", "--role", "admin"), "short", "error: the password must have at least 10 characters\n"),
    (("add", "bob", "--role", "partner"), PASSWORD, "error: a partner account needs --partner, one of "),
    (("add", "ann", "--role", "admin", "--partner", "UOG"), PASSWORD, "error: an admin account belongs to no partner"),
    (("passwd", "nobody"), PASSWORD, "error: there is no account named 'nobody'\n"),
])
def test_user_errors_are_one_line_and_exit_2(run, monkeypatch, db, args, password, says):
    code, out, err = user(run, monkeypatch, *args, "--db", db, "--password-stdin", password=password)
    assert code == 2 and out == "" and err.startswith(says) and err.count("\n") == 1


def test_user_remove_of_nobody_and_a_listing_of_none(run, db):
    assert run("user", "remove", "nobody", "--db", db) == (2, "", "error: there is no account named 'nobody'\n")
    code, out, err = run("user", "list", "--db", db)
    assert (code, out) == (0, "") and err.startswith("no accounts yet")


def test_user_add_asks_twice_without_password_stdin(run, monkeypatch, db):
    from siree_metrics import accounts

    answers = iter([PASSWORD, "something else"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run("user", "add", "ann", "--role", "admin", "--db", db) == (
        2, "", "error: the two passwords differ; nothing was changed\n")
    assert accounts.listing(db) == []


def test_load_records_the_command_line_and_its_user(run, db, good, query):
    assert run("load", "--db", db, "--dataset", "networks", good)[0] == 0
    assert query("SELECT loaded_by FROM batches") == [(f"command line: {cli._os_user()}",)]


def test_backup_and_restore_round_trip(run, monkeypatch, db, good, tmp_path, query):
    from siree_metrics import accounts

    assert run("load", "--db", db, "--dataset", "networks", good)[0] == 0
    assert user(run, monkeypatch, "add", "ann", "--role", "admin", "--db", db, "--password-stdin")[0] == 0
    copy = tmp_path / "backup.duckdb"
    assert run("backup", "--db", db, "--out", copy) == (
        0, f"{copy}: backup of {db} (1 loaded files), with its accounts\n", "")
    assert run("backup", "--db", db, "--out", copy)[0] == 2  # never overwrites
    elsewhere = tmp_path / "restored" / "siree.duckdb"
    elsewhere.parent.mkdir()
    assert run("restore", "--db", elsewhere, "--from", copy)[:2] == (
        0, f"{elsewhere}: restored from {copy} (1 loaded files), with its accounts\n")
    with store.connect(elsewhere) as con:  # the same two rows of good.csv, in the same batch
        assert con.execute("SELECT network_id FROM networks ORDER BY network_id").fetchall() == [("N001",), ("N002",)]
    assert accounts.login(elsewhere, "ann", PASSWORD).is_admin
    code, _, err = run("restore", "--db", db, "--from", copy)
    assert code == 2 and "add --replace" in err and err.count("\n") == 1
    assert run("restore", "--db", db, "--from", copy, "--replace")[0] == 0


def test_backup_and_restore_errors_are_one_line(run, tmp_path):
    code, out, err = run("backup", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "b.duckdb")
    assert (code, out) == (2, "") and err == f"error: {tmp_path / 'none.duckdb'}: there is no database here to back up\n"
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    code, _, err = run("restore", "--db", tmp_path / "x.duckdb", "--from", junk)
    assert code == 2 and err.startswith(f"error: {junk}: not a SIREE backup") and err.count("\n") == 1


def test_demo_prints_its_accounts(run, monkeypatch, tmp_path):
    from siree_metrics import accounts
    from siree_metrics.demo import build

    db = tmp_path / "demo.duckdb"
    monkeypatch.setattr(build, "build_demo_database", lambda *a, **k: [])  # the accounts part only
    code, out, err = run("demo", "--db", db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].startswith("demo accounts, for this demo database only")
    printed = {line.split()[0]: line.split()[-1] for line in lines[2:]}
    assert list(printed) == ["demo-admin", "demo-mechelen"]
    assert accounts.login(db, "demo-mechelen", printed["demo-mechelen"]) == User("demo-mechelen", "partner",
                                                                                "MECHELEN", True)
