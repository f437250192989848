"""The library's version (one place: the package, ``run``'s provenance and the wheel's metadata read it)."""

__version__ = "0.1.0"
