"""The chart functions of siree_metrics, cached per process for the pages.

Building a plotly figure costs far more than drawing one that is already built (plotly checks every
property it sets), and a page draws several. A finished figure is kept per process, keyed by the chart
function and its arguments (data frames by their content), and shared read-only between sessions: pages
draw it and never change it. Pages import ``charts`` and ``budget_charts`` from here.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import importlib
import inspect
import threading
from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd

MAX_FIGURES = 512
_figures: collections.OrderedDict[tuple, object] = collections.OrderedDict()
_lock = threading.Lock()


def _key(value: object) -> object:
    """A hashable stand-in for a chart argument."""
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(value.columns), tuple(map(str, value.dtypes)),
                int(pd.util.hash_pandas_object(value, index=True).sum()) if len(value) else 0, len(value))
    if isinstance(value, pd.Series):
        return ("series", value.name, int(pd.util.hash_pandas_object(value, index=True).sum()), len(value))
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


def _cached(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        key = (fn.__module__, fn.__name__, _key(args), _key(sorted(kwargs.items())))
        with _lock:
            if key in _figures:
                _figures.move_to_end(key)
                return _figures[key]
        figure = fn(*args, **kwargs)
        with _lock:
            _figures[key] = figure
            while len(_figures) > MAX_FIGURES:
                _figures.popitem(last=False)
        return figure

    return wrapper


def _namespace(module_name: str) -> SimpleNamespace:
    module = importlib.import_module(module_name)
    return SimpleNamespace(**{
        name: fn if name.startswith("_") else _cached(fn)
        for name, fn in inspect.getmembers(module, inspect.isfunction) if fn.__module__ == module_name
    })


charts = _namespace("siree_metrics.charts.indicators")
budget_charts = _namespace("siree_metrics.charts.budget")
