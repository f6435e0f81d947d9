"""vmes-audit: offline analysis of VMES 5.5 prerequisite collections."""

__version__ = "0.1.0"
