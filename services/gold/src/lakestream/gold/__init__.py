"""lakestream gold layer."""

__version__ = "0.1.0"
