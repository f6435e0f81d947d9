"""``vmes-audit kit``: the zip presales send to the customer (issue 10)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.cli.main import app

runner = CliRunner()
MEMBERS = ["collect.cmd", "collect.vbs", "collect-ems.ps1", "collect-params.txt", "LISEZMOI.txt", "SHA256SUMS.txt"]


def _kit(tmp_path: Path, *options: str) -> tuple[Path, str]:
    out = tmp_path / "kit"
    result = runner.invoke(app, ["kit", "-o", str(out), "--date", "2026-12-01", *options])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.zip")
    return path, result.output


def test_the_kit_holds_the_released_collector_and_its_parameters(root: Path, tmp_path: Path) -> None:
    path, output = _kit(tmp_path, "--account", "svc-vmes", "--noc", "relais.exemple.fr:8443",
                        "--nocaddr", "192.0.2.10", "--client", "Société Exemple & Fils")
    assert path.name == "vmes-audit-kit-societe-exemple-fils-20261201.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == MEMBERS
        files = {name: archive.read(name) for name in MEMBERS}
    for name in ("collect.cmd", "collect.vbs", "collect-ems.ps1"):
        assert files[name] == (root / "collector" / name).read_bytes(), f"{name} must be the released file"
    assert files["collect-params.txt"] == (
        "# Paramètres de collecte préparés par l'avant-vente (vmes-audit kit)\r\n"
        "account=svc-vmes\r\nnoc=relais.exemple.fr:8443\r\nnocaddr=192.0.2.10\r\n"
        "client=Société Exemple & Fils\r\npack=vmes-5.5 1.0.0\r\n").encode("cp1252")
    notice = files["LISEZMOI.txt"]
    stock = (root / "collector" / "LISEZMOI.txt").read_bytes()
    assert notice.endswith(stock)
    header = notice[: -len(stock)]
    assert b"\n" not in header.replace(b"\r\n", b"")  # CRLF only
    text = header.decode("cp1252")
    assert text.startswith("KIT DE COLLECTE VMES-AUDIT PRÉPARÉ POUR SOCIÉTÉ EXEMPLE & FILS\r\n")
    assert "Compte de service VMES : svc-vmes" in text
    assert "NOC testé              : relais.exemple.fr, port 8443 (adresse 192.0.2.10)" in text
    flowing = " ".join(text.split())
    assert "pour l'audit des prérequis de VMES 5.5 (pack de règles vmes-5.5, version 1.0.0)" in flowing
    assert 'runas /user:"DOMAINE\\svc-vmes" "cmd /k cd /d C:\\vmes-audit && collect.cmd"' in text
    assert max(len(line) for line in text.split("\r\n")) <= 78
    # The message for presales names the zip and its SHA-256.
    assert f"SHA-256 : {hashlib.sha256(path.read_bytes()).hexdigest()}" in output
    assert "Objet : Collecte des prérequis VMES 5.5 – Société Exemple & Fils" in output
    assert path.name in output.replace("\n", " ")


def test_sha256sums_matches_every_file(tmp_path: Path) -> None:
    path, _ = _kit(tmp_path)
    with zipfile.ZipFile(path) as archive:
        sums = archive.read("SHA256SUMS.txt").decode("ascii")
        lines = sums.split("\r\n")
        assert lines[-1] == "" and len(lines) == len(MEMBERS)
        for line in lines[:-1]:
            digest, name = line.split(" *")
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        archive.extractall(tmp_path / "x")
    # and the tool the customer's security team would use agrees
    check = subprocess.run([shutil.which("sha256sum") or "sha256sum", "-c", "SHA256SUMS.txt"],
                           cwd=tmp_path / "x", capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(MEMBERS) - 1


def test_defaults_come_from_the_pack_and_the_kit_is_reproducible(tmp_path: Path) -> None:
    first, _ = _kit(tmp_path / "a")
    second, _ = _kit(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    assert first.name == "vmes-audit-kit-client-20261201.zip"
    params = zipfile.ZipFile(first).read("collect-params.txt").decode("cp1252")
    assert "account=VistoAdmin\r\nnoc=push.sfr.fr:443\r\nnocaddr=206.124.113.45\r\n" in params
    assert "client=" not in params


def test_a_noc_without_address_is_probed_at_its_name(tmp_path: Path) -> None:
    path, _ = _kit(tmp_path, "--noc", "localhost")
    params = zipfile.ZipFile(path).read("collect-params.txt").decode("cp1252")
    assert "noc=localhost:443\r\nnocaddr=localhost\r\n" in params


@pytest.mark.parametrize("options,message", [
    (["--account", "CORP\\svc"], "sans le domaine"),
    (["--account", "svc\r\nnoc=evil:1"], "caractère de contrôle"),
    (["--account", ""], "vide"),
    (["--client", "Client\nnoc=evil"], "caractère de contrôle"),
    (["--client", "Société 中文"], "Windows-1252"),
    (["--noc", "push.sfr.fr:99999"], "port « 99999 » invalide"),
    (["--noc", "bad host:443"], "n'est ni un nom DNS"),
    (["--noc", "localhost&echo pwned>C:\\x.txt&rem"], "n'est ni un nom DNS"),
    (["--noc", "push.sfr.fr\u2028:443"], "n'est ni un nom DNS"),
    (["--account", "svc&start calc&rem"], "n'est pas accepté comme nom de compte"),
    (["--account", "svc%PATH%"], "n'est pas accepté comme nom de compte"),
    (["--account", "a" * 21], "n'est pas accepté comme nom de compte"),
    (["--nocaddr", "pas-une-ip"], "n'est pas une adresse IPv4"),
    (["--pack", "vmes-9.9"], "introuvable"),
    (["--date", "01/12/2026"], "date invalide"),
])
def test_bad_parameters_are_refused_in_french(tmp_path: Path, options: list[str], message: str) -> None:
    result = runner.invoke(app, ["kit", "-o", str(tmp_path), *options])
    assert result.exit_code == 2, result.output
    assert "Erreur : " in result.output and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_kit_is_never_written_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victime.txt"
    victim.write_text("à garder", encoding="utf-8")
    out = tmp_path / "kit"
    out.mkdir()
    (out / "vmes-audit-kit-client-20261201.zip").symlink_to(victim)
    result = runner.invoke(app, ["kit", "-o", str(out), "--date", "2026-12-01"])
    assert result.exit_code == 3 and "lien symbolique" in result.output
    assert victim.read_text(encoding="utf-8") == "à garder"


@pytest.mark.parametrize("parameter,value,message", [
    ("service_account", "svc&start calc&rem", "service_account : « svc&start calc&rem » n'est pas accepté"),
    ("noc_host", "localhost&echo pwned>C:\\x.txt&rem", "noc_host : « localhost&echo"),
    ("noc_address", "127.0.0.1&calc", "noc_address : « 127.0.0.1&calc » n'est pas une adresse IPv4"),
    ("noc_port", "443&calc", "noc_port : port « 443&calc » invalide"),
])
def test_a_pack_default_that_would_reach_a_command_line_is_refused(root: Path, tmp_path: Path, parameter: str,
                                                                  value: str, message: str) -> None:
    """A pack in preparation gives the kit's defaults: they pass the same grammars as the options."""
    import yaml

    pack = tmp_path / "pack"
    shutil.copytree(root / "rules" / "vmes-5.5", pack)
    data = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    data["parameters"][parameter]["default"] = value
    (pack / "pack.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "kit"
    result = runner.invoke(app, ["kit", "-o", str(out), "--pack", str(pack), "--date", "2026-12-01"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "pack vmes-5.5" in result.output
    assert not out.exists() or list(out.iterdir()) == []
