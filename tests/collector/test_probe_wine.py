r"""collector/probe.vbs under Wine: it never dies, writes every question's record in the record
format with the keys docs/field-test.md agrees with the ADSI test double, and records the error
of what Wine cannot answer (Wine 8 has no ADSI LDAP provider, no local groups in Win32_Group).

What Wine does answer is checked too: the registry view of each way of reading (wine64 runs a
64-bit cscript: every method sees the 64-bit view's "C:\Program Files").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

from .conftest import REPO, wine_path

pytestmark = [pytest.mark.wine, pytest.mark.slow]

PROBE = REPO / "collector" / "probe.vbs"
DOC = REPO / "docs" / "field-test.md"


def doc_keys() -> dict[str, set[str]]:
    """record kind -> keys, from the tables of docs/field-test.md (probe.vbs's part)."""
    text = DOC.read_text(encoding="utf-8")
    text = text[text.index("## Record keys"):text.index("### `probe.ps1`")]
    keys: dict[str, set[str]] = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        kinds = re.findall(r"`\[(\w+)\]`", section.split("\n", 1)[0])
        for row in re.findall(r"^\| (`.*?) \|", section, re.M):
            row_kinds = re.findall(r"`\[(\w+)\]`", row) or kinds[:1]
            names = [n for n in re.findall(r"`(\w+)(?:\[\])?`", row) if not n.startswith("[")]
            for kind in row_kinds:
                keys.setdefault(kind, set()).update(names)
        for kind in kinds:
            keys.setdefault(kind, set())
    # prose-described keys
    keys["probe_step"] = {"Step"}
    keys["probe_end"] = {"Completed", "Steps"}
    return keys


@pytest.fixture(scope="module")
def probe_run(wine, tmp_path_factory):
    out = tmp_path_factory.mktemp("sonde")
    proc = wine.run(["cscript", "//nologo", wine_path(PROBE), f"/out:{wine_path(out)}"], timeout=300)
    stdout = proc.stdout.decode("cp850", errors="replace")
    files = sorted(out.glob("probe-*.txt"))
    assert len(files) == 1, stdout
    decoded = decode_bytes(files[0].read_bytes(), "utf-16le")
    assert decoded.had_bom
    return stdout, files[0], parse_records(decoded.text, artifact="probe")


def test_probe_runs_to_its_end(probe_run):
    stdout, path, records = probe_run
    assert "Sonde terminée : " in stdout and path.name in stdout
    assert re.fullmatch(r"probe-[A-Z0-9_-]+-\d{8}-\d{6}\.txt", path.name)
    assert records[-1].kind == "probe_end" and records[-1].get("Completed") == "True"
    assert records[-1].get("Steps") == "8"
    assert [r.get("Step") for r in records if r.kind == "probe_step"] == [
        "contexte", "ado_sd", "sd_compare", "token_groups", "second_execute", "winnt_group", "registry_view",
        "short_names"]
    assert not [r for r in records if r.kind == "probe_error"], [r.props for r in records if r.kind == "probe_error"]


def test_every_record_carries_the_agreed_keys(probe_run):
    _, _, records = probe_run
    agreed = doc_keys()
    kinds = {r.kind for r in records}
    # Under Wine no domain and no local group: no [winnt_member] record (its keys are checked by
    # the double's own tests, on Samba).
    assert kinds == set(agreed) - {"winnt_member", "probe_error"}, kinds
    for record in records:
        written = {k.removesuffix("[]") for k in record.props}
        missing = agreed[record.kind] - written
        if record.kind in ("ado_sd", "sd_compare") and record.props.get("Dn") is None:
            # no directory: one record that says so (Object and the error)
            assert record.get("Error") or record.get("GetError"), record.props
            continue
        if record.kind == "token_groups":
            missing -= {"SidHex"}  # no SID without a directory
        assert not missing, (record.kind, missing)
        assert written <= agreed[record.kind] | {"Error"}, (record.kind, written - agreed[record.kind])


def test_adsi_questions_record_their_error(probe_run):
    _, _, records = probe_run
    by_kind = {}
    for r in records:
        by_kind.setdefault(r.kind, []).append(r)
    context = by_kind["probe"][0]
    assert context.get("OsBits") == "64" and context.get("ProcessBits") == "64"
    assert "LDAP://RootDSE : 0x800401E4" in context.get("Error")
    assert by_kind["ado_sd"][0].get("Error").startswith("annuaire injoignable")
    assert by_kind["second_execute"][0].get("FirstError").startswith("annuaire injoignable")
    for r in by_kind["token_groups"]:
        assert r.get("Error") and r.get("Count") is None
    assert "S-1-5-32-544" in by_kind["winnt_group"][0].get("Error")


def test_registry_view_of_each_method_under_wine64(probe_run):
    _, _, records = probe_run
    views = {r.get("Method"): r for r in records if r.kind == "registry_view"}
    assert set(views) == {"regedit", "regedit-wmi", "reg", "stdregprov-64", "stdregprov-32", "stdregprov"}
    for method in ("regedit", "regedit-wmi", "reg", "stdregprov-64", "stdregprov"):
        assert views[method].get("Error") == "", views[method].props
        assert views[method].get("ProgramFilesDir") == r"C:\Program Files"
        assert views[method].get("View") == "64"
    # Wine honours __ProviderArchitecture=32: its 32-bit view has no CurrentVersion\ProgramFilesDir.
    assert views["stdregprov-32"].get("View") is None


def test_short_names_record(probe_run):
    _, _, records = probe_run
    record = next(r for r in records if r.kind == "short_names")
    assert record.get("SystemFolder") == r"C:\windows\system32"
    assert record.get("QuotedExit") == "0"


def test_an_error_in_one_question_is_recorded_and_the_probe_goes_on(wine, tmp_path):
    text = PROBE.read_bytes().decode("ascii")
    marker = "Sub AskWinNtGroup()\r\n  Dim errs, name, grp, m, n, buf, sidv, sidErr, sidHex, sidVt, path\r\n"
    assert text.count(marker) == 1
    broken = tmp_path / "probe.vbs"
    broken.write_bytes(text.replace(marker, marker + "  Err.Raise 5, \"test\", \"panne voulue\"\r\n").encode("ascii"))
    out = tmp_path / "out"
    out.mkdir()
    proc = wine.run(["cscript", "//nologo", wine_path(broken), f"/out:{wine_path(out)}"], timeout=300)
    (path,) = out.glob("probe-*.txt")
    records = parse_records(decode_bytes(path.read_bytes(), "utf-16le").text, artifact="probe")
    errors = [r for r in records if r.kind == "probe_error"]
    assert [(r.get("Step"), r.get("Error")) for r in errors] == [("winnt_group", "0x00000005 panne voulue")]
    assert records[-1].kind == "probe_end"
    assert "erreur : 0x00000005 panne voulue" in proc.stdout.decode("cp850", errors="replace")
