"""Fact-table rows as plain dicts: ``facts.model.records``, re-exported for the engine."""

from vmes_audit.facts.model import records

__all__ = ["records"]
