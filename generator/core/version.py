"""svcgen's own version: recorded in every generated package's provenance."""

__version__ = "0.1.0"
