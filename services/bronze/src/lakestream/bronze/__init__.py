"""lakestream bronze layer."""

__version__ = "0.1.0"
