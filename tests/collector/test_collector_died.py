"""The analyzer refuses, in French and naming the step, a collection whose collector died
(``collecte-en-cours.txt`` still present: docs/collection-format.md §1.1)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from vmes_audit.base.errors import InputError
from vmes_audit.collection.loader import PROGRESS_FILE, load_inputs

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "srvdc01-2000-non-conforme.zip"

PROGRESS = ("\ufeff#VMES-RECORDS 1\r\n#Collecte vmes-audit en cours\r\n[progress]\r\nStep=reg_uninstall\r\n"
            "Number=17\r\nTotal=43\r\nLabel=Registre : programmes install\u00e9s\r\n").encode("utf-16le")


def _folder(tmp_path: Path, with_progress: bool) -> Path:
    folder = tmp_path / "VMES-SRV-20261206-101500"
    folder.mkdir()
    with zipfile.ZipFile(SAMPLE) as z:
        z.extractall(folder)
    if with_progress:
        (folder / PROGRESS_FILE).write_bytes(PROGRESS)
    return folder


def test_folder_with_progress_file_is_refused_naming_the_step(tmp_path):
    folder = _folder(tmp_path, True)
    with pytest.raises(InputError) as exc:
        load_inputs([folder])
    text = str(exc.value)
    assert "le collecteur s'est arrêté avant la fin, pendant l'étape « reg_uninstall » (17/43, Registre : " \
           "programmes installés)" in text
    assert "Relancez le collecteur" in text


def test_same_folder_without_progress_file_loads(tmp_path):
    assessment = load_inputs([_folder(tmp_path, False)])
    assert len(assessment.collections) == 1


def test_folder_without_manifest_is_not_read_as_loose_files(tmp_path):
    # The collector died before writing its manifest: the artifacts it wrote must not pass for
    # loose files (docs/collection-format.md §7).
    folder = _folder(tmp_path, True)
    (folder / "manifest.json").unlink()
    with pytest.raises(InputError, match="« reg_uninstall »"):
        load_inputs([folder])


def test_zip_holding_progress_file_is_refused(tmp_path):
    folder = _folder(tmp_path, True)
    archive = tmp_path / "manuel.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    with pytest.raises(InputError, match="pendant l'étape « reg_uninstall »"):
        load_inputs([archive])


def test_died_subfolder_is_listed_broken_and_others_analysed(tmp_path):
    parent = tmp_path / "collectes"
    parent.mkdir()
    died = _folder(parent, True)
    (died / "manifest.json").unlink()
    shutil.copy(SAMPLE, parent / SAMPLE.name)
    assessment = load_inputs([parent])
    assert len(assessment.collections) == 1
    assert len(assessment.broken) == 1 and "« reg_uninstall »" in assessment.broken[0].error


def test_unreadable_progress_file_still_refused(tmp_path):
    folder = _folder(tmp_path, True)
    (folder / PROGRESS_FILE).write_bytes(b"\xff")
    with pytest.raises(InputError, match="fichier d'avancement, illisible"):
        load_inputs([folder])
