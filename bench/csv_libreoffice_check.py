"""Open the CSV in LibreOffice and count the cells it turns into formulas (issue 13).

Run: ``.venv/bin/python bench/csv_libreoffice_check.py`` (needs ``soffice``:
``apt-get install libreoffice-calc-nogui``). Not part of ``make test``: CI does
not install LibreOffice; ``tests/report/test_csv_injection.py`` runs an
equivalent, stricter check (``tests/report/csv_formula.py``) everywhere.

It writes two CSV files with the hostile values of the tests, in the
``resultats.csv`` format (UTF-8 with BOM, ``;``, CRLF): the analyzer's own
output (every cell neutralised) and the same values written raw, as a control.
``soffice --headless --convert-to fods`` imports each one as a French user's
LibreOffice would (separator ``;``, UTF-8) and writes a flat ODF spreadsheet,
in which a cell read as a formula carries a ``table:formula`` attribute.
Expected: 0 formulas in the analyzer's CSV, at least one in the control.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analyzer"))
sys.path.insert(0, str(ROOT))

from tests.report.conftest import build_report  # noqa: E402
from tests.report.csv_formula import HOSTILE_CELLS  # noqa: E402

from vmes_audit.report.export import csv_bytes  # noqa: E402


def formulas_in(csv_file: Path, work: Path) -> list[str]:
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work / 'profile'}",
                    "--infilter=CSV:59,34,76,1", "--convert-to", "fods", "--outdir", str(work), str(csv_file)],
                   check=True, capture_output=True, timeout=300)
    text = (work / (csv_file.stem + ".fods")).read_text(encoding="utf-8")
    return re.findall(r'table:formula="([^"]*)"', text)


def main() -> int:
    if shutil.which("soffice") is None:
        print("soffice absent : installez libreoffice-calc-nogui pour ce contrôle")
        return 1
    report = build_report()
    findings = [report.findings[0].model_copy(update={"message": v, "host": v}) for v in HOSTILE_CELLS]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours = work / "resultats.csv"
        ours.write_bytes(csv_bytes(report.model_copy(update={"findings": findings})))
        raw = io.StringIO(newline="")
        writer = csv.writer(raw, delimiter=";", lineterminator="\r\n")
        writer.writerow(["message", "host"])
        writer.writerows([v, v] for v in HOSTILE_CELLS)
        control = work / "brut.csv"
        control.write_bytes(raw.getvalue().encode("utf-8-sig"))
        found_ours, found_control = formulas_in(ours, work), formulas_in(control, work)
    print(f"LibreOffice ({len(HOSTILE_CELLS)} valeurs hostiles, 2 colonnes) : "
          f"{len(found_ours)} formule(s) dans resultats.csv, {len(found_control)} dans le témoin brut")
    for formula in found_control:
        print(f"  témoin : {formula}")
    return 0 if not found_ours and found_control else 1


if __name__ == "__main__":
    sys.exit(main())
