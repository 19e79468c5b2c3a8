"""The dashboard runs offline: no usage statistics, no look-up of an external address, nothing fetched."""

from __future__ import annotations

import re
import tomllib

from helpers import ROOT


def test_streamlit_config_keeps_the_app_offline():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["browser"]["serverAddress"] == "localhost"  # else Streamlit asks a web service for its IP
    assert config["server"]["headless"] is True
    assert config["client"]["showSidebarNavigation"] is False  # ui/page.py draws the page links


def test_no_code_fetches_from_the_internet():
    sources = [*ROOT.glob("siree_metrics/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"),
               ROOT / "dashboard.py"]
    offenders = [f"{path.relative_to(ROOT)}: {url}" for path in sources
                 for url in re.findall(r"https?://[^\s\"')]+", path.read_text(encoding="utf-8"))]
    assert offenders == []
    charts = (ROOT / "siree_metrics" / "charts" / "indicators.py").read_text(encoding="utf-8")
    assert "Scattergeo" not in charts and "Choropleth" not in charts  # plotly geo fetches topojson from a CDN


def test_server_listens_on_this_machine_only_and_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"  # not every interface: the start-up URL is the truth
    assert config["client"]["showErrorDetails"] == "none"  # no traceback or server path reaches a browser
