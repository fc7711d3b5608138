"""lakestream silver layer."""

__version__ = "0.1.0"
