"""Shared look of every figure: sizes and colours chosen to be readable at 100% zoom."""

from matplotlib.figure import Figure

TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#d62728"
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches with constrained layout (no overlapping labels)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")
