"""Live views for class: one panel of scale controls that drives each section's tables and charts."""

from .views import live

__all__ = ["live"]
