"""FVI: read photos of Vietnamese identity cards into structured, validated JSON."""

__version__ = "0.1.0"
