"""hjemme: planning and decision support for hospital at home."""

__version__ = "0.1.0"

__all__ = ["__version__"]
