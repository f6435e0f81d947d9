"""Reading collections: zips, collection folders, loose files (see docs/collection-format.md)."""

from vmes_audit.collection.loader import Artifact, Assessment, Collection, load_inputs

__all__ = ["Artifact", "Assessment", "Collection", "load_inputs"]
