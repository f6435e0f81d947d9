"""What the report says about who wrote it: the presales settings of the cover.

They belong to the document, not to the assessment: they are not in
``resultats.json``, and the same analysis can be printed by two presales
engineers. ``workflows/settings.py`` reads them from a settings file and the
command line's options.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReportSettings", "DEFAULT_CONFIDENTIALITY"]

DEFAULT_CONFIDENTIALITY = "Confidentiel"


@dataclass(frozen=True)
class ReportSettings:
    author: str = ""  # "Jeanne Martin"
    company: str = ""  # "Intégrateur Exemple"
    contact: str = ""  # "jeanne.martin@exemple.fr · 01 23 45 67 89"
    confidentiality: str = DEFAULT_CONFIDENTIALITY  # the cover's mark, repeated on every page; "" for none

    @property
    def has_author(self) -> bool:
        return bool(self.author or self.company or self.contact)
