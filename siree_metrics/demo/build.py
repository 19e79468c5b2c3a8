"""DEMO DATA: the demo exports written to a folder and loaded into a database through the normal loader.

The rows are the story's (:mod:`siree_metrics.demo.story`), the files are spelled as partners send them
(:mod:`siree_metrics.demo.formats`); this module writes them to the folder it is given and loads them, and
records the build in the database so that a build killed half-way is finished by the next one.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from siree_metrics.demo import formats
from siree_metrics.demo.story import Export, demo_exports
from siree_metrics.reference import Reference, load_reference

if TYPE_CHECKING:
    from siree_metrics.ingest.load import LoadResult

# The project folder: files inside it are listed by their path relative to it.
_PROJECT_DIR = pathlib.Path(__file__).resolve().parents[2]


def _write(out_dir: pathlib.Path, export: Export) -> pathlib.Path:
    path = out_dir / formats.file_name(export.partner, export.dataset)
    formats.write(path, formats.FORMATS[(export.partner, export.dataset)], export.columns, export.rows)
    return path


def write_demo_files(out_dir: pathlib.Path, reference: Reference) -> list[tuple[str, pathlib.Path]]:
    """Write the demo exports of the story set in ``reference`` into out_dir (created if needed, existing demo
    files overwritten); return (dataset, path) pairs in the order they should be loaded. The files are
    fictional DEMO data covering all nine partners and eight datasets in the partners' own formats; two calls
    write byte-identical files, and other files already in out_dir are left alone."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [(export.dataset, _write(out_dir, export)) for export in demo_exports(reference)]


class NotADemoDatabase(Exception):
    """The database holds partners' files and no demo: building the demo into it would mix fictional rows
    with real ones."""


def _shown(path: pathlib.Path) -> str:
    """The file name kept in the list of loaded files: relative to the project folder when inside it
    (``data/demo/uog_startups.csv``), else the full path."""
    try:
        return path.resolve().relative_to(_PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def build_demo_database(db: pathlib.Path, out_dir: pathlib.Path | None = None,
                        on_wait: Callable[[], None] | None = None,
                        reference: Reference | None = None) -> list[LoadResult]:
    """Write the demo exports to ``out_dir`` (default: the folder ``demo`` beside ``db``, so data/demo/ for
    data/siree.duckdb) and load each through the normal loader into ``db``; return each file's LoadResult.
    ``reference`` sets the story (partners, regions, windows, budgets); None means ``load_reference()``.

    The build records itself (``store.demo_state``): "in progress" before its first file, "complete" with the
    list of its batches after its last, so a build killed half-way is seen as unfinished and finished by the
    next build (files already loaded are skipped: loading again changes nothing). While every batch is one of
    the demo's, the database is the demo database: DEMO DATA on every page, uploads open. A file refused
    (which would be a bug of the generator) leaves the build unfinished. Raises NotADemoDatabase, changing
    nothing, when ``db`` already holds batches and no demo build ever ran there.
    """
    from siree_metrics.ingest import store
    from siree_metrics.ingest.load import load_file

    db = pathlib.Path(db)
    out_dir = pathlib.Path(out_dir) if out_dir is not None else db.parent / "demo"
    with store.connect(db, write=True, on_wait=on_wait) as con:
        batches = con.execute("SELECT count(*) FROM batches").fetchall()[0][0]
        if store.demo_state(con) is None and batches:
            raise NotADemoDatabase(f"{db} holds {batches} loaded files and is not the demo database; "
                                   "build the demo into another database (--db PATH)")
        store.set_meta(con, store.DEMO_BUILD, "in_progress")
    files = write_demo_files(out_dir, load_reference() if reference is None else reference)
    results = [load_file(db, dataset, path, display=_shown(path), loaded_by="demo", on_wait=on_wait)
               for dataset, path in files]
    if all(r.status != "refused" for r in results):
        with store.connect(db, write=True, on_wait=on_wait) as con:
            store.set_meta(con, store.DEMO_BATCHES, ",".join(str(r.batch_id) for r in results))
            store.set_meta(con, store.DEMO_BUILD, "complete")
    return results
