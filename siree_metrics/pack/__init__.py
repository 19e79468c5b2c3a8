"""The meeting pack: one view (as-of date, filters) and a language as a PowerPoint file with native charts
and a self-contained HTML report with the same content.

``content.build_pack`` says what the pack says (from the summary); ``pptx.write_pptx`` and ``html.write_html``
only lay it out. ``write_pack`` writes both into a folder.
"""

from __future__ import annotations

from pathlib import Path

from siree_metrics.pack.content import LANGUAGES, Pack, build_pack

__all__ = ["LANGUAGES", "Pack", "build_pack", "write_pack"]


def write_pack(pack: Pack, out: Path) -> tuple[Path, Path]:
    """Write ``siree_pack_<scope>_<as-of>.pptx`` and ``.html`` of ``pack`` (see ``build_pack``) into ``out``
    (created if missing); their paths. An existing file of the same name is replaced (the same view on the
    same data gives the same pack). Needs no database: build the pack, close the connection, then write."""
    from siree_metrics.pack.html import write_html
    from siree_metrics.pack.pptx import write_pptx

    out.mkdir(parents=True, exist_ok=True)
    pptx_path = out / f"{pack.file_stem}.pptx"
    html_path = out / f"{pack.file_stem}.html"
    write_pptx(pack, pptx_path)
    write_html(pack, html_path)
    return pptx_path, html_path
