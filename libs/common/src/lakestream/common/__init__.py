"""lakestream common library: the reusable 80 % shared by every layer."""

__version__ = "0.1.0"
