"""Issue 14: contradictory or partial collections never give a better verdict than the intact ones.

Each situation of the issue's "Why" list, built from a sample: a mode the
content contradicts, duplicates (entries, manifests, JSON keys, artifact
declarations), a refused ``../x`` next to ``x``, a malformed SID in the
manifest, a broken zip among several inputs, symbolic links out of a folder,
zip trickery (names, flags, "version needed").
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from tests.hostile.conftest import analyse, assert_not_better, finding
from tests.hostile.kit import SAMPLES, SampleZip
from vmes_audit.collection import load_inputs
from vmes_audit.base.errors import InputError

BASE = "vmes01-2003-conforme"
ORG = ("vmes01-2003-conforme", "exch01-2003sp2")


@pytest.mark.parametrize("mode", ["exchange", "ems"])
def test_vmes_collection_declared_under_another_mode(mode: str, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.manifest["mode"] = mode
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h3 = finding(report, "h3-assessment-contents")
    assert h3.state.value == "unknown" and "machine VMES" in h3.message
    assert f"déclare le mode « {mode} »" in h3.message and "contradiction" in h3.message
    assert report.verdict.value == "non_pret"
    assert_not_better(report, BASE)


def test_mode_given_twice_in_the_manifest(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    text = json.dumps(sample.manifest)
    sample.manifest_bytes = text.replace('"mode": "vmes"', '"mode": "vmes", "mode": "exchange"').encode()
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "deux fois" in h2.message
    assert finding(report, "h3-assessment-contents").state.value == "unknown"
    assert report.verdict.value == "non_pret"


def test_ems_artifacts_in_a_vmes_collection(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    ems = SampleZip.open("ems-exch07")
    entry = dict(ems.entry("ems_exchangeserver"))
    sample.manifest["artifacts"].append(entry)
    sample.files[entry["file"]] = ems.files[entry["file"]]
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "ems_exchangeserver" in h2.message
    assert report.verdict.value == "non_pret"


def test_duplicate_zip_entries_are_a_contradiction_not_last_one_wins(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    forged = sample.text("wmi_os").replace("Service Pack 1", "Service Pack 2")
    sample.extra_entries.append(("wmi_os.txt", forged.encode("utf-16")))
    result = analyse([sample.write(tmp_path / "c.zip")])
    art = result.facts.artifact("VMES01", "wmi_os")
    assert art.status == "unreadable" and "2 fois" in art.error
    h2 = finding(result.report, "h2-collection-complete")
    assert h2.state.value == "fail" and "wmi_os.txt" in h2.message
    assert_not_better(result.report, BASE)


def test_a_second_manifest(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    other = dict(sample.manifest, mode="exchange")
    sample.extra_entries.append(("manifest.json", json.dumps(other).encode()))
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "manifest.json" in h2.message
    assert report.verdict.value == "non_pret"


def test_an_artifact_declared_twice(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.manifest["artifacts"].append(dict(sample.entry("wmi_service")))
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "wmi_service" in h2.message and "2 fois" in h2.message
    assert finding(report, "d3-not-exchange-server").state.value == "unknown"
    assert_not_better(report, BASE)


def test_a_json_key_given_twice(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    text = json.dumps(sample.manifest)
    sample.manifest_bytes = text.replace('"run_as": {', '"run_as": {"name": "CORP\\\\Pirate", ', 1).encode()
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    assert finding(report, "h2-collection-complete").state.value == "fail"
    assert report.verdict.value == "non_pret"


def test_a_refused_traversal_entry_is_reported_even_next_to_the_flat_one(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.extra_entries.append(("../wmi_os.txt", b"evil"))
    result = analyse([sample.write(tmp_path / "c.zip")])
    assert any("« ../wmi_os.txt » refusée" in w for w in result.report.warnings), result.report.warnings
    assert result.facts.artifact("VMES01", "wmi_os").usable
    h2 = finding(result.report, "h2-collection-complete")
    assert h2.state.value == "warn" and "../wmi_os.txt" in h2.message
    assert_not_better(result.report, BASE)


def test_a_malformed_run_as_sid_leaves_a_report(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.manifest["run_as"]["sid"] = "S-1-5-21-xyz"
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    assert finding(report, "h1-run-as-service-account").state.value in ("pass", "fail")
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "SID du compte collecteur illisible" in h2.message
    assert_not_better(report, BASE)


def _broken_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    return path


def test_a_broken_zip_in_a_folder_of_collections(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    folder.mkdir()
    for name in ORG:
        (folder / f"{name}.zip").write_bytes((SAMPLES / f"{name}.zip").read_bytes())
    _broken_zip(folder / "EXCH-EXCH02-20261120.zip")
    report = analyse([folder]).report
    broken = [i for i in report.inputs if i.kind == "illisible"]
    assert [i.path for i in broken] == ["EXCH-EXCH02-20261120.zip"] and broken[0].error
    h3 = finding(report, "h3-assessment-contents")
    assert h3.state.value == "warn" and "EXCH-EXCH02-20261120.zip" in h3.message
    assert_not_better(report, *ORG)
    assert report.verdict.value != "pret"


def test_two_inputs_of_which_one_is_broken(tmp_path: Path) -> None:
    good = SAMPLES / f"{BASE}.zip"
    report = analyse([good, _broken_zip(tmp_path / "autre.zip")]).report
    assert {i.path for i in report.inputs} == {good.name, "autre.zip"}
    assert finding(report, "h3-assessment-contents").state.value == "warn"
    assert_not_better(report, BASE)


def test_only_broken_inputs_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Aucune entrée n'a pu être lue"):
        load_inputs([_broken_zip(tmp_path / "a.zip"), tmp_path / "absent.zip"])


def test_links_out_of_a_folder_input_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (outside / f"{BASE}.zip").write_bytes((SAMPLES / f"{BASE}.zip").read_bytes())
    SampleZip.open("exch01-2003sp2").write_folder(outside / "exch01")
    (outside / "systeminfo.txt").write_text("Host Name: SECRET\r\n", encoding="ascii")
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "exch01-2003sp2.zip").write_bytes((SAMPLES / "exch01-2003sp2.zip").read_bytes())
    (folder / "vmes.zip").symlink_to(outside / f"{BASE}.zip")
    (folder / "exch01").symlink_to(outside / "exch01", target_is_directory=True)
    (folder / "systeminfo.txt").symlink_to(outside / "systeminfo.txt")
    assessment = load_inputs([folder])
    assert [c.host for c in assessment.collections] == ["EXCH01"]
    links = [w for w in assessment.warnings if "lien symbolique" in w]
    assert len(links) == 3, assessment.warnings
    # a collection folder given directly: its own links are not followed either
    collection = SampleZip.open(BASE).write_folder(tmp_path / "vmes01")
    os.remove(collection / "wmi_os.txt")
    (collection / "wmi_os.txt").symlink_to(outside / "systeminfo.txt")
    coll = load_inputs([collection]).collections[0]
    assert not coll.artifacts["wmi_os"].usable


def _flag_utf8_on_non_utf8_name(data: bytes, placeholder: bytes, raw: bytes) -> bytes:
    """Replace an entry's name by ``raw`` (same length, not UTF-8) and set the "name is UTF-8" flag."""
    buf = bytearray(data.replace(placeholder, raw))
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46:pos + 46 + name_len]) == raw:
            flags = struct.unpack_from("<H", buf, pos + 8)[0]
            struct.pack_into("<H", buf, pos + 8, flags | 0x800)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_invalid_utf8_entry_names_with_the_utf8_flag(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.extra_entries.append(("wmi_XXos.txt", b"x"))
    path = tmp_path / "noms.zip"
    path.write_bytes(_flag_utf8_on_non_utf8_name(sample.zip_bytes(), b"wmi_XXos.txt", b"wmi_\xff\xfeos.txt"))
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(path)  # what stopped the whole run before
    result = analyse([path])
    refused = [w for w in result.report.warnings if "UTF-8" in w and "noms.zip" in w]
    assert refused, result.report.warnings
    assert result.facts.artifact("VMES01", "wmi_os").usable
    assert_not_better(result.report, BASE)


def test_entry_names_made_of_control_characters(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.extra_entries += [("\x1b[2J\x1b[31m.txt", b"x"), ("\x07\x08", b"y"), ("abc\u202etxt.exe", b"z")]
    result = analyse([sample.write(tmp_path / "c.zip")])
    refused = [w for w in result.report.warnings if "refusée" in w]
    assert len(refused) == 3 and all("\x1b" not in w and "\u202e" not in w for w in refused), refused
    assert_not_better(result.report, BASE)


def test_version_needed_or_method_that_zipfile_does_not_implement(tmp_path: Path) -> None:
    data = bytearray(SampleZip.open(BASE).zip_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        names = [i.filename for i in archive.infolist()]
    target = names.index("wmi_service.txt")
    central = [i for i in range(len(data)) if data[i:i + 4] == b"PK\x01\x02"]
    struct.pack_into("<H", data, central[target] + 6, 99)  # "version needed to extract": 9.9
    path = tmp_path / "c.zip"
    path.write_bytes(bytes(data))
    result = analyse([path])
    art = result.facts.artifact("VMES01", "wmi_service")
    assert art.status == "unreadable" and "non prise en charge" in art.error, art.error
    assert result.facts.artifact("VMES01", "wmi_os").usable
    assert_not_better(result.report, BASE)


def test_an_exchange_server_alone_is_never_ready(tmp_path: Path) -> None:
    report = analyse([SAMPLES / "exch01-2003sp2.zip"]).report
    assert report.verdict.value == "non_pret"
    assert finding(report, "h3-assessment-contents").state.value == "unknown"


def test_the_same_zip_twice_counts_once(tmp_path: Path) -> None:
    """Issue 18: ``X.zip`` and ``X (1).zip``, byte-identical, in one customer folder: the second copy
    used to look like a second collection of the same machine ended at the same instant, which set
    the machine aside (H3 « Non évaluable », « Non prêt ») while the JSON showed it evaluated."""
    folder = tmp_path / "client"
    folder.mkdir()
    for name in ORG:
        (folder / f"{name}.zip").write_bytes((SAMPLES / f"{name}.zip").read_bytes())
    (folder / f"{BASE} (1).zip").write_bytes((SAMPLES / f"{BASE}.zip").read_bytes())
    report = analyse([folder]).report
    intact = analyse([SAMPLES / f"{n}.zip" for n in ORG]).report
    assert report.verdict == intact.verdict
    assert [(f.rule_id, f.host, f.state) for f in report.findings] == \
        [(f.rule_id, f.host, f.state) for f in intact.findings]
    assert len(report.inputs) == 2 and "exch01-2003sp2.zip" in {i.path for i in report.inputs}
    assert any(f"« {BASE} (1).zip » est une copie identique" in w or f"« {BASE}.zip » est une copie identique" in w
               for w in report.warnings), report.warnings


def test_a_zip_of_unrelated_files_is_refused_like_a_folder(tmp_path: Path) -> None:
    """Issue 18: a zip holding no collection gave a 54-page « Non prêt » report; a folder was refused."""
    path = tmp_path / "vacances.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100)
        archive.writestr("notes.txt", "Liste de courses\r\n".encode("cp1252"))
    with pytest.raises(InputError, match="ne contient aucune collecte"):
        load_inputs([path])
    with zipfile.ZipFile(path, "a") as archive:  # a damaged manifest is a damaged collection, not refused
        archive.writestr("manifest.json", b"{")
    assert load_inputs([path]).collections[0].manifest_error
    folder = tmp_path / "vacances"
    folder.mkdir()
    (folder / "notes.txt").write_bytes("Liste de courses\r\n".encode("cp1252"))
    with pytest.raises(InputError, match="ne contient aucun fichier reconnu"):
        load_inputs([folder])
