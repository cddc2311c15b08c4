"""Helpers shared by every figure."""

from __future__ import annotations

from typing import Any


def axes(ax: Any = None, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def finish(ax: Any, title: str, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Set the title and axis labels every ecrm figure carries; returns ``ax``."""
    ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax
