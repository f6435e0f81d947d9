"""The hostile cells of the CSV tests, and the check that stands in for a spreadsheet.

``spreadsheet_formula(cell)`` answers "would a spreadsheet run this cell?" more
strictly than Excel and LibreOffice do, from the OWASP CSV-injection guidance:

- a cell that starts with ``'`` is text (both programs show it as typed);
- a cell that starts with TAB, CR or LF may be trimmed into a formula: flagged;
- otherwise the cell is normalised (NFKC: ``＝`` and ``﹦`` become ``=``), its
  leading blanks, controls and invisible format characters (zero-width space,
  BOM) are dropped, and it is a formula if what remains starts with ``=``,
  ``+``, ``-`` or ``@``.

It is written independently of ``report/export.py``. What LibreOffice itself
does is measured by ``bench/csv_libreoffice_check.py`` (``soffice --headless
--convert-to fods``, then a count of the cells holding a ``table:formula``):
LibreOffice 7.4 evaluates only the cells starting with a plain ``=``, a subset
of what this check flags.
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTERS = "=+-@"
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}

HOSTILE_CELLS = [
    "=HYPERLINK(\"http://exemple.invalid\";\"cliquez\")",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\uff1dcmd|' /C calc'!A0",  # full-width equals
    "\ufe66cmd|' /C calc'!A0",  # small equals
    "\uff0b1+1",  # full-width plus
    "\uff0d1+1",  # full-width hyphen-minus
    "\uff201+1",  # full-width commercial at
    " =1+1",
    "   @SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\r\n+1+1",
    "\u00a0=1+1",  # no-break space
    "\u3000=1+1",  # ideographic space
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # byte order mark
    "\u2028=1+1",  # line separator
    "\t",
]


def spreadsheet_formula(cell: str) -> bool:
    if cell.startswith("'"):
        return False
    if cell[:1] in ("\t", "\r", "\n"):
        return True
    text = unicodedata.normalize("NFKC", cell)
    text = text.lstrip()
    while text and (text[0].isspace() or unicodedata.category(text[0]) in INVISIBLE):
        text = text[1:]
    return text[:1] in tuple(FORMULA_STARTERS) and text != ""
