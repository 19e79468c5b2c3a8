"""The Dutch and French interface texts are complete, keep their placeholders, and nothing bypasses ``t``.

The key of a translation is the exact English text given to the translation function (``t`` in dashboard.py,
pages/ and ui/; the ``text`` parameter the pages hand to the charts and history functions of the package).
The keys are found by reading the code (``ast``), never by running it: a literal first argument, both
branches of ``a if c else b``, and the texts a non-literal argument is known to come from (the status and
country words of ``charts.style``, the sidebar's page names, the catalogue's names, captions, descriptions
and units, the contract's dataset names). A non-literal argument from an unknown source fails
``test_every_dynamic_key_has_a_known_source``: register where its texts come from in ``DYNAMIC``.
"""

from __future__ import annotations

import ast
import re
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from siree_metrics.charts import indicators as indicator_charts
from siree_metrics.charts import style
from siree_metrics.ingest.contract import load_contract
from siree_metrics.reference import load_reference

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "siree_metrics" / "locales"
LANGS = ("nl", "fr")


def ui_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def engine_files() -> list[Path]:
    return sorted((ROOT / "siree_metrics").rglob("*.py"))


def _sources() -> Iterator[Path]:
    yield from ui_files()
    yield from engine_files()


NAMES_OF_T = {"t", "text"}  # t itself, and the parameter through which the pages hand it to pure functions


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _literals(node: ast.AST) -> list[str] | None:
    """The texts a key expression can be, when the code spells them out; None when it does not."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _literals(node.body), _literals(node.orelse)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.BoolOp):  # `after_end or "..."`: the literal branches; the others are registered
        found = [x for v in node.values for x in (_literals(v) or [])]
        return found or None
    return None


def translation_calls() -> Iterator[tuple[str, ast.Call]]:
    """Every call of a translation function with at least one argument, with its place."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NAMES_OF_T \
                    and node.args:
                yield _where(path, node), node


def module_texts() -> dict[str, list[str]]:
    """Module-level constants of the scanned files that hold texts: NAME -> the text (a string) or the texts (a
    dict's string values: ``STATUS_WORDS``, ``CHART_TITLES``)."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            value = getattr(node, "value", None)
            if not isinstance(target, ast.Name) or value is None:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found[target.id] = [value.value]
            elif isinstance(value, ast.Dict) and value.values and all(
                    isinstance(v, ast.Constant) and isinstance(v.value, str) for v in value.values):
                found[target.id] = [v.value for v in value.values]
    return found


def _constant_name(node: ast.AST) -> str | None:
    """The constant a key expression reads: NAME, mod.NAME, NAME[...], NAME.get(...)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        node = node.func.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def constant_keys() -> tuple[set[str], set[str]]:
    """(the texts of the module constants that translation calls read, the places that read them)."""
    texts, places, known = set(), set(), module_texts()
    for where, call in translation_calls():
        name = _constant_name(call.args[0])
        if _literals(call.args[0]) is None and name in known:
            texts.update(known[name])
            places.add(where)
    return texts, places


# Non-literal keys, by the text of the expression (a regular expression), and why they are covered. Their
# texts are gathered by `dynamic_keys`; the engine's sentences with figures in them cannot be (see ENGINE).
DYNAMIC = {
    r"w": "charts.style.SUBMISSION words (budget.submissions)",
    r".*\.label\(lang\(\)\)": "the catalogue's name already in the reader's language (t() leaves it as it is)",
    r"known\[(name|of)\]": "ui.scope.chart_title: the catalogue's indicator names",
    r"note": "ui.scope.UNCHANGED (its texts are gathered as a module constant)",
    r"name": "charts.indicators._SEA_LABELS (region_map)",
    r"title": "page(title): the first argument of every page() call",
    r"label": "ui.page.PAGES link texts; history: the contract's dataset names",
    r"what": "ui.url._codes(..., what, t): its literal argument at each call",
    r"s\.capitalize\(\)": "the contract's setting values, capitalised (Education page)",
    r"ind\.(label\(\)|caption|unit|description|measure_spec\.period_words)": "the catalogue and measures",
    r"(load_contract\(\)|contract)\[.*\]\.label|ds\.(label|row)": "the contract's dataset names and row descriptions",
    r"(self|r)\.unit": "the catalogue's units (summary.change_text, the meeting pack)",
    r"a\.label|alt\[0\]": "the catalogue's alternative readings (indicators.toml [indicator.alternative] label)",
    r"ind\.reading": "the catalogue's readings of the targets (the Method page)",
    r"self\.spec\.compared_with": "measures.toml compared_with (summary.change_text)",
    r"(ind\.measure_spec|spec)\.(formula|numerator|denominator)": "measures.toml formula texts (the Method page)",
}



def _call_args(func: str, position: int | None = None, keyword: str | None = None) -> Iterator[str]:
    """The literal argument at ``position`` (or ``keyword``) of every call of ``func`` in the UI files."""
    for path in ui_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == func):
                continue
            args = node.args[position:position + 1] if position is not None and len(node.args) > position else []
            args += [k.value for k in node.keywords if k.arg == keyword]
            for a in args:
                yield from _literals(a) or []


def dynamic_keys() -> set[str]:
    """The texts the registered non-literal keys can take."""
    ref, contract = load_reference(), load_contract()
    page_tree = ast.parse((ROOT / "ui" / "page.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in page_tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    keys = {*constant_keys()[0], *module_texts().get("UNCHANGED", []), *(word for _, _, word in style.SUBMISSION.values()),
            *(name for name, _, _ in indicator_charts._SEA_LABELS), *(label for _, label, _ in pages),
            *_call_args("page", position=0), *_call_args("_codes", position=4), *_call_args("_date", keyword="after_end")}
    for ind in ref.indicators:
        spec = ind.measure_spec
        keys |= {ind.label(), ind.caption, ind.unit, ind.description, spec.period_words, ind.reading,
                 spec.compared_with, spec.formula, spec.numerator, spec.denominator} - {""}
        if ind.alternative is not None:
            keys.add(ind.alternative.label)
    for ds in contract.values():
        keys |= {ds.label, ds.row}
    keys |= {str(v).capitalize() for v in contract["learning_communities"].columns["setting"].values}
    return keys


def code_keys() -> dict[str, list[str]]:
    """Every key the code can look up -> where (a literal's places; "registered" for the others)."""
    keys: dict[str, list[str]] = {}
    for where, call in translation_calls():
        for text in _literals(call.args[0]) or []:
            keys.setdefault(text, []).append(where)
    for text in dynamic_keys():
        keys.setdefault(text, []).append("registered")
    return keys


def locale_files(lang: str) -> list[Path]:
    return sorted((LOCALES / lang).glob("*.toml"))


def locale(lang: str) -> dict[str, str]:
    """Every translation of ``lang``, its files merged (as siree_metrics.i18n reads them)."""
    return {k: v for path in locale_files(lang) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    """The ``{name:spec!conv}`` fields of a format string, sorted (their order may change in a translation)."""
    return sorted((name, spec or "", conv) for _, name, spec, conv in string.Formatter().parse(text)
                  if name is not None)


# -- the tests ------------------------------------------------------------------------------------------------


def test_no_f_string_or_concatenation_as_a_key() -> None:
    """An f-string (or "a" + x) given to t() is looked up with its values inside: it can never be translated."""
    bad = [f"{where}: {ast.unparse(call.args[0])}" for where, call in translation_calls()
           if isinstance(call.args[0], (ast.JoinedStr, ast.BinOp))]
    assert not bad, "pass a fixed text with {placeholders} and values as keywords:\n" + "\n".join(bad)


def test_every_dynamic_key_has_a_known_source() -> None:
    by_constant = constant_keys()[1]
    unknown = [f"{where}: {ast.unparse(call.args[0])}" for where, call in translation_calls()
               if _literals(call.args[0]) is None and where not in by_constant and not isinstance(call.args[0], (ast.JoinedStr, ast.BinOp))
               and not any(re.fullmatch(p, ast.unparse(call.args[0])) for p in DYNAMIC)]
    assert not unknown, "a key whose texts are not gathered (add its source to DYNAMIC):\n" + "\n".join(unknown)


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_is_translated(lang: str) -> None:
    catalogue = locale(lang)
    missing = sorted(k for k in code_keys() if k not in catalogue)
    assert not missing, f"{len(missing)} texts without a {lang} translation in siree_metrics/locales/{lang}/:\n" + "\n".join(
        repr(k) for k in missing)


@pytest.mark.parametrize("lang", LANGS)
def test_each_text_is_translated_in_one_file(lang: str) -> None:
    """A key in two files of one language would be translated by whichever file sorts last: one home each."""
    seen: dict[str, str] = {}
    twice = []
    for path in locale_files(lang):
        for key in tomllib.loads(path.read_text(encoding="utf-8")):
            if key in seen:
                twice.append(f"{key!r} in {seen[key]} and {path.name}")
            seen[key] = path.name
    assert len(locale_files(lang)) >= 1 and not twice, "\n".join(twice)


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_translation(lang: str) -> None:
    assert [k for k, v in locale(lang).items() if not str(v).strip()] == []


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_their_placeholders(lang: str) -> None:
    """"{a} of target" must stay "{a} van het doel", never "{a:.0%} ..." or "{pct} ...": t() fills the English names."""
    wrong = [f"{k!r} -> {v!r}" for k, v in locale(lang).items() if placeholders(k) != placeholders(v)]
    assert not wrong, "placeholders dropped, renamed or reformatted:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGS)
def test_no_stale_translation(lang: str) -> None:
    """A key no longer used in the code is a translator's wasted work, and hides a text that changed."""
    used = code_keys()
    stale = sorted(k for k in locale(lang) if k not in used)
    assert not stale, f"siree_metrics/locales/{lang}/ has keys the code no longer uses:\n" + "\n".join(repr(k) for k in stale)


@pytest.mark.parametrize("lang", LANGS)
def test_indicator_names_agree_with_the_catalogue(lang: str) -> None:
    """t(ind.label()) and ind.label(lang) must give the same name: the catalogue is the source."""
    catalogue = locale(lang)
    assert {i.label(): catalogue.get(i.label()) for i in load_reference().indicators} == {
        i.label(): i.label(lang) for i in load_reference().indicators}


# -- texts that bypass t() --------------------------------------------------------------------------------------

# Streamlit calls whose first argument (or the list given to st.tabs) a user reads; any receiver (st, st.sidebar,
# a column): "left.markdown(...)" is the same text as "st.markdown(...)".
TEXT_CALLS = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
              "button", "tabs", "expander", "selectbox", "multiselect", "text_input", "date_input",
              "download_button", "radio", "checkbox", "toggle", "number_input", "slider", "select_slider",
              "text_area", "file_uploader", "form_submit_button", "metric", "popover", "toast", "page_link",
              "progress", "write"}
TEXT_KEYWORDS = {"label", "help", "placeholder", "text", "page_title"}
WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more: "#### " and "---" are not a text


def _visible_literals(node: ast.AST) -> list[str]:
    """The literal pieces of a text argument that a reader sees, outside any call (t(...) or another); an
    f-string as one piece with ``{}`` where its values go, so that markup split by values stays whole."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    if isinstance(node, ast.BinOp):
        return _visible_literals(node.left) + _visible_literals(node.right)
    if isinstance(node, ast.IfExp):
        return _visible_literals(node.body) + _visible_literals(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [x for e in node.elts for x in _visible_literals(e)]
    return []


NAMES = {"SIREE", "NL", "FR"}  # the project's name and language codes read the same in every language
MULTILINGUAL = {"Language · Taal · Langue"}  # the language switch speaks all three at once, by design


def _words(text: str) -> list[str]:
    """The words a reader sees in ``text``: HTML tags (with their styles) and placeholders left out."""
    return [w for w in WORD.findall(re.sub(r"<style>.*?(</style>|$)|<[^>]*>|\{[^}]*\}", " ", text, flags=re.S)) if w not in NAMES]


def bypasses_in(source: str, where: str) -> list[str]:
    """The Streamlit calls of ``source`` whose text a reader sees and that is not given through t()."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in TEXT_CALLS | {"set_page_config"}):
            continue
        args = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if any(_words(s) for arg in args for s in _visible_literals(arg) if s not in MULTILINGUAL):
            found.append(f"{where}:{node.lineno}: {node.func.attr}({', '.join(ast.unparse(a)[:80] for a in args)})")
    return found


def bypasses() -> list[str]:
    return [x for path in ui_files() for x in bypasses_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]


def test_no_user_text_bypasses_the_translation_function() -> None:
    found = bypasses()
    assert not found, "user-facing text not given through t():\n" + "\n".join(found)


def test_the_scan_finds_bare_texts_and_passes_translated_ones() -> None:
    source = """
st.title("Budget")                                   # 2: bare
st.tabs([t("Loaded files"), "Who sent what"])       # 3: one bare tab
left.markdown(f"**{name}** was loaded")              # 4: an f-string with words
st.text_input(t("Meeting"), placeholder="Example")  # 5: a bare placeholder
st.markdown("#### " + t("Rows"))                     # 6: markup around t(): fine
st.markdown(f"<div style='color:{c}'>{x}</div>", unsafe_allow_html=True)  # 7: markup only: fine
st.caption(t("Source: {source}.", source=s))         # 8: fine
st.sidebar.radio("Language · Taal · Langue", langs)  # 9: the language switch: fine
"""
    assert [line.split(":")[1] for line in bypasses_in(source, "x.py")] == ["2", "3", "4", "5"]


def test_the_locale_files_reach_the_reader() -> None:
    """ui.i18n.t reads these files: "{a} of target" in French with a = "40 %" is "40 % de l'objectif"."""
    from ui.i18n import t

    assert t("Country", "nl") == "Land"
    assert t("{a} of target", "fr", a="40 %") == "40 % de l'objectif"
    assert t("{a} of target", "en", a="40 %") == "40 % of target"


def test_no_number_format_inside_a_text() -> None:
    """"{n:,}" or "{p:.0%}" in a text writes 1,234 and 45% in every language: a figure is formatted by
    charts.style in the reader's convention before it is given to t()."""
    specs = [f"{k!r}" for k in code_keys() if any(spec for _, spec, _ in placeholders(k))]
    assert not specs, "format the value with charts.style instead:\n" + "\n".join(specs)
