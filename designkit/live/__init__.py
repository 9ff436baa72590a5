"""Live views for class: one panel of scale controls that drives each section's tables and charts."""

from .baseline import label_baseline
from .views import live

__all__ = ["label_baseline", "live"]
