"""Fact tables: pandas DataFrames that reconcile the artifacts of every host.

``build.build_facts`` builds them; ``model`` holds ``Facts`` and the declarations (``TABLES``), to
which each builder module adds its own tables when it is imported: importing this package imports
them all, so ``TABLES`` is complete whichever module asks first.

>>> {'host', 'disks', 'registry', 'noc_probes', 'exchange_servers'} <= set(TABLES)
True
"""

from vmes_audit.facts.build import build_facts
from vmes_audit.facts.model import TABLES, Facts, frame

__all__ = ["build_facts", "Facts", "TABLES", "frame"]
