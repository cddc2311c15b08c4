"""Figures: one function per figure, each takes ``ax=None`` and returns the Axes.

Titles and axis labels are set; nothing calls ``plt.show()``. pyplot is imported only
inside this package, never on ``import ecrm``. The functions live in one private file
per analysis module (``_rfm.py``, ``_clv.py``, ...) and are all exported here.
"""

from __future__ import annotations

import importlib

# Domain files that exist are re-exported; each defines __all__.
_DOMAINS = (
    "_summary",
    "_rfm",
    "_lifecycle",
    "_segmentation",
    "_clv",
    "_churn",
    "_campaign",
    "_survey",
    "_loyalty",
    "_metrics",
    "_service",
    "_recommend",
)
__all__: list[str] = []
for _name in _DOMAINS:
    try:
        _module = importlib.import_module(f".{_name}", __name__)
    except ModuleNotFoundError as _err:  # a domain not written yet
        if _err.name != f"{__name__}.{_name}":
            raise
        continue
    for _public in _module.__all__:
        globals()[_public] = getattr(_module, _public)
    __all__ += list(_module.__all__)
