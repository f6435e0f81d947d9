"""--pseudonymise: no customer name of any sample is left in any output (issue 11, item 4).

The names searched for are read from each sample's sources by ``names.py``,
independently of the pseudonymiser; each test prints the list (``pytest -rP``
shows it) and fails naming every leak with its context.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.cli.main import app
from vmes_audit.workflows.pseudonymise import default_mapping_path

from .conftest import ORGANISATIONS, inputs_of, source_of
from .names import CustomerName, customer_names, leaks

runner = CliRunner()


def _client(organisation: str) -> str:
    return f"Groupe {organisation.capitalize()} Holding"


def _names(organisation: str) -> list[CustomerName]:
    names: dict[tuple[str, bool], CustomerName] = {}
    for sample in ORGANISATIONS[organisation]:
        for name in customer_names(source_of(sample), client=_client(organisation)):
            names.setdefault((name.value.casefold(), name.as_dn), name)
    return sorted(names.values(), key=lambda n: (n.kind, n.value.casefold()))


def _listing(organisation: str, names: list[CustomerName]) -> str:
    lines = [f"{organisation} : {len(names)} nom(s) cherché(s) dans chaque sortie"]
    lines += [f"  - {n.value!r} ({n.kind}{', sous la forme OU=/CN=' if n.as_dn else ''})" for n in names]
    return "\n".join(lines)


def _analyze(organisation: str, out: Path, formats: str, *extra: str) -> None:
    args = ["analyze", *map(str, inputs_of(organisation)), "-o", str(out), "--format", formats,
            "--client", _client(organisation), "--date", "2026-12-01", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


def _outputs(out: Path) -> dict[str, str]:
    texts = {}
    for name in ("resultats.json", "resultats.csv", "rapport-vmes.html"):
        path = out / name
        if path.exists():
            texts[name] = path.read_text(encoding="utf-8-sig")
    return texts


@pytest.mark.parametrize("organisation", sorted(ORGANISATIONS))
def test_pseudonymised_outputs_leak_no_customer_name(organisation: str, tmp_path: Path) -> None:
    names = _names(organisation)
    print(_listing(organisation, names))
    # the search can fail: the same outputs without --pseudonymise show the names
    _analyze(organisation, tmp_path / "plain", "json,html,csv")
    plain = "\n".join(_outputs(tmp_path / "plain").values())
    shown = {n.value for n, _ in leaks(plain, names)}
    assert len(shown) >= min(3, len(names)), f"the outputs show too few of the names searched for: {shown}"

    out = tmp_path / "rapport"
    _analyze(organisation, out, "json,html,csv", "--pseudonymise")
    outputs = _outputs(out)
    assert set(outputs) == {"resultats.json", "resultats.csv", "rapport-vmes.html"}
    found = [(file, name, context) for file, text in outputs.items() for name, context in leaks(text, names)]
    assert not found, "\n".join(f"{file} : {name.value!r} ({name.kind}) … {context} …" for file, name, context in found)
    data = json.loads(outputs["resultats.json"])
    assert data["pseudonymised"] is True and data["client"] == "CLIENT-1"
    assert "Rapport pseudonymisé" in outputs["rapport-vmes.html"]


def test_tokens_are_consistent_across_outputs_and_runs(tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    _analyze("btp", out, "json,html,csv", "--pseudonymise")
    mapping_path = default_mapping_path(out)
    assert mapping_path.is_file() and mapping_path.parent == tmp_path  # beside the output folder, not in it
    assert not any("correspondance" in p.name for p in out.iterdir())
    mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
    assert "ne la transmettez jamais" in mapping["avertissement"]
    token = {e["original"]: e["jeton"] for e in mapping["jetons"]}
    assert re.fullmatch(r"SERVEUR-\d+", token["VMES05"]) and re.fullmatch(r"SERVEUR-\d+", token["EXBTP01"])
    assert token["BTP"] == token["exemple-btp.fr"]  # the NetBIOS and DNS names of one domain
    outputs = _outputs(out)
    data = json.loads(outputs["resultats.json"])
    assert data["hosts"][0]["hostname"] == token["VMES05"]
    for text in outputs.values():
        assert token["EXBTP01"] in text and token["VistoAdmin"] in text
    f9 = next(f for f in data["findings"] if f["rule_id"] == "f9-server-permissions" and f["state"] == "fail")
    assert f"{token['BTP']}\\{token['VistoAdmin']}" in f9["remediation"]
    assert "S-1-5-21-SID-DOMAINE-" in outputs["resultats.json"]  # the RIDs stay readable

    # Given again, the mapping keeps its tokens; a second customer's names get new numbers.
    again = tmp_path / "second"
    _analyze("btp", again, "json", "--pseudonymise", "--mapping", str(mapping_path))
    assert (again / "resultats.json").read_text(encoding="utf-8") == outputs["resultats.json"]
    other = tmp_path / "other"
    _analyze("assurances", other, "json", "--pseudonymise", "--mapping", str(mapping_path))
    extended = {e["original"]: e["jeton"] for e in json.loads(mapping_path.read_text(encoding="utf-8"))["jetons"]}
    assert {k: v for k, v in extended.items() if k in token} == token
    assert extended["VMES01"] not in token.values()


def test_a_broken_mapping_file_is_a_french_error(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text("{ pas du json", encoding="utf-8")
    result = runner.invoke(app, ["analyze", *map(str, inputs_of("btp")), "-o", str(tmp_path / "o"), "--format",
                                 "json", "--pseudonymise", "--mapping", str(mapping)])
    assert result.exit_code == 2 and "table de correspondance" in result.output and "Traceback" not in result.output


def test_compare_pseudonymises_the_comparison_too(tmp_path: Path, corrected_btp: Path) -> None:
    _analyze("btp", tmp_path / "first", "json")
    # the documented way: the mapping of a pseudonymised analysis of the collections ...
    _analyze("btp", tmp_path / "shared", "json", "--pseudonymise", "--mapping", str(tmp_path / "map.json"))
    result = runner.invoke(app, ["analyze", str(corrected_btp), "-o", str(tmp_path / "second"), "--format", "json",
                                 "--client", _client("btp"), "--date", "2026-12-10"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "compared"
    result = runner.invoke(app, ["compare", str(tmp_path / "first" / "resultats.json"),
                                 str(tmp_path / "second" / "resultats.json"), "-o", str(out), "--format", "json,html",
                                 "--pseudonymise", "--mapping", str(tmp_path / "map.json")])
    assert result.exit_code == 0, result.output
    assert "seuls fichiers resultats.json" not in result.output  # ... is given to compare
    names = _names("btp")
    for name, text in _outputs(out).items():
        found = leaks(text, names)
        assert not found, f"{name}: " + "; ".join(f"{n.value!r} … {c}" for n, c in found)
    data = json.loads((out / "resultats.json").read_text(encoding="utf-8"))
    assert data["comparison"]["counts"]["corrige"] == 2
    # without an earlier mapping, compare says what it cannot guarantee
    result = runner.invoke(app, ["compare", str(tmp_path / "first" / "resultats.json"),
                                 str(tmp_path / "second" / "resultats.json"), "-o", str(tmp_path / "alone"),
                                 "--format", "json", "--pseudonymise"])
    assert result.exit_code == 0 and "seuls fichiers resultats.json" in result.output
    # a pseudonymised result cannot be the base of a comparison: its names are tokens
    result = runner.invoke(app, ["analyze", *map(str, inputs_of("btp")), "-o", str(tmp_path / "x"), "--format",
                                 "json", "--previous", str(out / "resultats.json")])
    assert result.exit_code == 2 and "pseudonymisé" in result.output


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.fail("pdftotext et pdfinfo (poppler-utils) sont requis pour ce test")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", text + "\n" + info)


def _pseudonymised_pdf(organisation: str, out: Path) -> Path:
    """Runs in a worker process: the CLI, as a user runs it."""
    _analyze(organisation, out, "pdf", "--pseudonymise")
    return out / "rapport-vmes.pdf"


@pytest.mark.slow
def test_pseudonymised_pdfs_leak_no_customer_name(tmp_path: Path) -> None:
    """Every sample's PDF (rendered two at a time: weasyprint is the slow part)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        pdfs = dict(zip(sorted(ORGANISATIONS), pool.map(
            _pseudonymised_pdf, sorted(ORGANISATIONS), [tmp_path / o for o in sorted(ORGANISATIONS)]), strict=True))
    problems = []
    for organisation, pdf in pdfs.items():
        names = _names(organisation)
        print(_listing(organisation, names))
        text = _pdf_text(pdf)
        assert "CLIENT-1" in text and "Rapport pseudonymisé" in text
        found = leaks(text, names)
        # a DN wrapped at the end of a line loses its spaces in the extracted text: search without them too
        squeezed = text.replace(" ", "")
        found += [(n, "(sans espaces)") for n in names if len(n.value) >= 6 and re.search(
            n.pattern().pattern.replace(re.escape(n.value), re.escape(n.value.replace(" ", ""))), squeezed)]
        problems += [f"{organisation} : {n.value!r} ({n.kind}) … {c}" for n, c in found]
    assert not problems, "\n".join(problems)
