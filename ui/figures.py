"""The chart functions of siree_metrics, cached per process for the pages.

Building a plotly figure costs far more than drawing one that is already built (plotly checks every
property it sets), and a page draws several. A finished figure is kept per process, keyed by the chart
function and its arguments (data frames by their content, row order included), and every call gets a
figure of its own: the cache keeps the figure's plain dict, never a live figure, so a page (or a session)
that changes what it was given cannot change what the next one gets. Pages import ``charts`` and
``budget_charts`` from here.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import importlib
import inspect
import threading
from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go

MAX_FIGURES = 512
_figures: collections.OrderedDict[tuple, object] = collections.OrderedDict()  # figure dicts (or text)
_lock = threading.Lock()


def _digest(value: pd.DataFrame | pd.Series) -> str:
    """The content of a frame or series, row order included: a sha1 of its row hashes in order (their sum,
    as this once used, is the same for the rows in any order, and a reordered frame got the old figure)."""
    rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
    return hashlib.sha1(rows.tobytes()).hexdigest()


def _key(value: object) -> object:
    """A hashable stand-in for a chart argument."""
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(value.columns), tuple(map(str, value.dtypes)), _digest(value), len(value))
    if isinstance(value, pd.Series):
        return ("series", value.name, str(value.dtype), _digest(value), len(value))
    if isinstance(value, dict):
        return ("dict", tuple((_key(k), _key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, functools.partial):  # e.g. a translation function bound to a language
        return ("partial", _key(value.func), _key(value.args), _key(sorted(value.keywords.items())))
    if callable(value):
        return ("fn", getattr(value, "__module__", ""), getattr(value, "__qualname__", repr(value)))
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return ("repr", type(value).__name__, repr(value))


def _figure(spec: dict) -> go.Figure:
    """A fresh figure from a cached spec. Without validation: the spec came out of a validated figure, and
    re-validating it would cost as much as building a copy with ``go.Figure(fig)`` (measured on the
    four-country monthly chart: 39 ms that way, 8 ms this way, against 100 ms to build it from the data)."""
    return go.Figure(spec, _validate=False)


def slim(fig: go.Figure) -> go.Figure:
    """``fig`` (changed in place) without its template's defaults for trace types it does not draw, for sending
    to the browser. Importing Streamlit makes its own template plotly's default, and every figure then carries
    defaults for some twenty trace types (about 2 kB of the 4 to 15 kB a chart sends at each rerun); plotly
    reads only those of the types drawn, so the chart looks the same. The template's layout part is kept whole.
    A figure with no template is returned as it is."""
    kinds = fig.layout.template.data.to_plotly_json()
    drawn = {trace.type or "scatter" for trace in fig.data}
    if set(kinds) - drawn:
        fig.layout.template.data = {kind: v for kind, v in kinds.items() if kind in drawn}
    return fig


def _cached(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        key = (fn.__module__, fn.__name__, _key(args), _key(sorted(kwargs.items())))
        with _lock:
            kept = _figures.get(key)
            if kept is not None:
                _figures.move_to_end(key)
        if kept is not None:
            return _figure(kept) if isinstance(kept, dict) else kept
        made = fn(*args, **kwargs)
        # a figure is kept as its dict (a deep copy: the caller may change ``made``); text as it is
        kept = made.to_dict() if isinstance(made, go.Figure) else made
        with _lock:
            _figures[key] = kept
            while len(_figures) > MAX_FIGURES:
                _figures.popitem(last=False)
        return made

    return wrapper


def _namespace(module_name: str) -> SimpleNamespace:
    module = importlib.import_module(module_name)
    return SimpleNamespace(**{
        name: fn if name.startswith("_") else _cached(fn)
        for name, fn in inspect.getmembers(module, inspect.isfunction) if fn.__module__ == module_name
    })


charts = _namespace("siree_metrics.charts.indicators")
budget_charts = _namespace("siree_metrics.charts.budget")
