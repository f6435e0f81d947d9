"""No silent death under Wine: a test build with a deliberately broken module makes the Wine
helper raise :class:`CollectorDied` naming the last step begun (issue 17, item 3).

Wine 8's cscript prints nothing and exits 0 on a VBScript compile error or on an unhandled
runtime error, so a test that only looked at the exit code or at missing output would see
nothing. The collector writes ``collecte-en-cours.txt`` (the step begun) in its collection
folder before each step and deletes it as its very last statement
(docs/collection-format.md §1.1); ``CollectorRun.check_completed`` and the analyzer's loader
read it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from vmes_audit.base.errors import InputError
from vmes_audit.collection.loader import load_inputs

from .conftest import PROGRESS_FILE, REPO, CollectorDied

pytestmark = [pytest.mark.wine, pytest.mark.slow]

ONLY = "/only:wmi_os,reg_values,file_versions"


def _build_module():
    spec = importlib.util.spec_from_file_location("collector_build", REPO / "collector" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _test_build(tmp_path: Path, module: str, old: str, new: str) -> Path:
    """collect.vbs built with one module edited (``old`` must occur exactly once in it)."""
    def edit(name: str, text: str) -> str:
        if name != module:
            return text
        assert text.count(old) == 1, f"{module}: {old!r}"
        return text.replace(old, new)
    path = tmp_path / "collect.vbs"
    path.write_bytes(_build_module().build_bytes(edit))
    return path


def test_wine_hides_a_compile_error_and_the_helper_says_it(wine, tmp_path):
    # The review's example: a class method named Get does not compile (VBScript keyword)…
    script = _test_build(tmp_path, "files.vbs", "Sub StepFileVersions()",
                         "Class Casse\n  Function Get()\n  End Function\nEnd Class\n\nSub StepFileVersions()")
    run = wine.collect(tmp_path / "out", ONLY, script=script, expect_death=True)
    # …and Wine says nothing about it: exit code 0, no message.
    assert run.returncode == 0 and "rreur" not in run.stdout + run.stderr
    with pytest.raises(CollectorDied, match="avant sa première étape") as died:
        run.check_completed()
    assert died.value.step == ""


def test_runtime_error_in_a_step_names_that_step(wine, tmp_path):
    # An error outside the step's own On Error Resume Next (RunArtifact's bookkeeping).
    script = _test_build(tmp_path, "steps.vbs", "  On Error GoTo 0\n  ReDim Preserve gResults(gResultCount)",
                         "  On Error GoTo 0\n  If d(\"name\") = \"reg_values\" Then gStepNo = 1 / 0\n"
                         "  ReDim Preserve gResults(gResultCount)")
    run = wine.collect(tmp_path / "out", ONLY, script=script, expect_death=True)
    assert run.returncode == 0  # Wine's silence
    with pytest.raises(CollectorDied, match="« reg_values »") as died:
        run.check_completed()
    assert died.value.step == "reg_values"
    assert not run.zips
    # The analyzer refuses the folder, in French, naming the step.
    with pytest.raises(InputError, match=r"(?s)s'est arrêté avant la fin.*« reg_values »"):
        load_inputs([run.folder])


def test_runtime_error_after_the_steps_names_the_manifest(wine, tmp_path):
    script = _test_build(tmp_path, "manifest.vbs", "Function JStr(v)\n  Dim s, i, c, n, out\n",
                         "Function JStr(v)\n  Dim s, i, c, n, out\n  If v = \"wmi_os\" Then n = 1 / 0\n")
    run = wine.collect(tmp_path / "out", ONLY, script=script, expect_death=True)
    with pytest.raises(CollectorDied, match="« manifest »"):
        run.check_completed()


def test_unbroken_build_completes_and_leaves_no_progress_file(wine, tmp_path):
    script = _test_build(tmp_path, "files.vbs", "Sub StepFileVersions()", "Sub StepFileVersions()")
    run = wine.collect(tmp_path / "out", ONLY, script=script)  # checks completion itself
    assert not (run.folder / PROGRESS_FILE).exists()
    assert len(run.zips) == 1


def test_driver_that_dies_raises(wine, tmp_path):
    with pytest.raises(CollectorDied, match="erreur d'exécution"):
        wine.run_driver(tmp_path, 'WScript.Echo "avant"\nDim z\nz = 1 / 0\nWScript.Echo "apres"\n')
    with pytest.raises(CollectorDied, match="compilation"):
        wine.run_driver(tmp_path, 'Class K\n  Function Get()\n  End Function\nEnd Class\n')
    assert "ok" in wine.run_driver(tmp_path, 'WScript.Echo "ok"\n')
