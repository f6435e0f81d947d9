"""Issue 18, fail-closed pseudonymisation: each leak the second hostile review found, rebuilt from a
sample. Before the fix every one of these names was printed in the HTML, the JSON and the CSV of an
``analyze --pseudonymise`` (and the PDF, ``test_leaks_stay_out_of_the_pdf``).

The names searched for are the ones each test plants: the oracle does not ask the pseudonymiser
what it replaced.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.hostile.kit import SAMPLES, SampleZip, rename_host
from vmes_audit.cli.main import app

runner = CliRunner()
TEXT_OUTPUTS = ("resultats.json", "resultats.csv", "rapport-vmes.html")


def replace_everywhere(sample: SampleZip, old: str, new: str) -> SampleZip:
    """``old`` -> ``new`` in every artifact that holds it (re-encoded as the collector writes it)."""
    changed = 0
    for entry in sample.manifest["artifacts"]:
        if entry.get("status") != "ok" or entry.get("file") not in sample.files:
            continue
        text = sample.text(entry["name"])
        if old in text:
            sample.set_text(entry["name"], text.replace(old, new))
            changed += 1
    assert changed, f"« {old} » absent from the sample"
    return sample


@dataclass
class Leak:
    """A hostile variant: the inputs to analyse and the names no output may show."""

    names: list[str]
    samples: list[SampleZip | Path]
    previous: list[SampleZip | Path] = field(default_factory=list)


def _previous_hosts() -> Leak:
    # the earlier audit was made when the VMES machine was still called ANCIENSRV
    old = rename_host(SampleZip.open("vmes01-2003-conforme"), "ANCIENSRV")
    return Leak(["ANCIENSRV"], [SAMPLES / "vmes01-2003-conforme.zip", SAMPLES / "exch01-2003sp2.zip"],
                previous=[old, SAMPLES / "exch01-2003sp2.zip"])


def _proxy(server: str, override: str, pac: str) -> SampleZip:
    sample = SampleZip.open("vmes02-2003-proxy")
    text = sample.text("net_proxy").replace("ProxyServer=proxy.corp.exemple.fr:8080", f"ProxyServer={server}", 1)
    text = text.replace("ProxyOverride=<local>;*.corp.exemple.fr", f"ProxyOverride={override}")
    text = text.replace("AutoConfigURL=http://wpad.corp.exemple.fr/proxy.pac", f"AutoConfigURL={pac}")
    return sample.set_text("net_proxy", text)


def _proxy_exceptions() -> Leak:
    sample = _proxy("proxy.corp.exemple.fr:8080", "<local>;*.intranet-kx.lan;10.77.66.55;hoteprive;192.168.9.*",
                    "http://wpad.corp.exemple.fr/proxy.pac")
    return Leak(["intranet-kx", "10.77.66.55", "hoteprive", "192.168.9."], [sample])


def _pac_url() -> Leak:
    sample = _proxy("proxy.corp.exemple.fr:8080", "<local>", "http://pacserv.reseau-yw.lan/wpad.dat")
    return Leak(["pacserv", "reseau-yw"], [sample])


def _per_protocol_proxies() -> Leak:
    sample = _proxy("http=relais.autre-zone.lan:3128;https=sslgate.filtrage-zq.lan:8443;ftp=ftpcache:21",
                    "<local>", "http://wpad.corp.exemple.fr/proxy.pac")
    return Leak(["relais", "autre-zone", "sslgate", "filtrage-zq", "ftpcache"], [sample])


def _accented_email() -> Leak:
    sample = replace_everywhere(SampleZip.open("vmes05-echecs-2003"), "mail=VistoAdmin@exemple-btp.fr",
                                "mail=gérard.léveillé@exemple-btp.fr")
    return Leak(["gérard", "léveillé"], [sample])


def _ou_with_guillemets() -> Leak:
    sample = replace_everywhere(SampleZip.open("vmes05-echecs-2003"), "OU=Chantiers", "OU=Chantiers « Grand Ouest »")
    return Leak(["Grand Ouest", "Chantiers"], [sample])


def _ipv6() -> Leak:
    sample = SampleZip.open("vmes01-2003-conforme")
    replace_everywhere(sample, "Addresses[]=10.1.20.30", "Addresses[]=2001:db8:4b1::1e\r\nAddresses[]=10.1.20.30")
    replace_everywhere(sample, "IPAddress[]=10.1.20.15", "IPAddress[]=10.1.20.15\r\nIPAddress[]=fe80::20c:29ff:fe4b:1a2c")
    return Leak(["2001:db8:4b1::1e", "fe80::20c:29ff:fe4b:1a2c"], [sample, SAMPLES / "exch01-2003sp2.zip"])


def _storage_groups() -> Leak:
    zips = [SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")]
    for sample in zips:
        replace_everywhere(sample, "First Storage Group", "SG Direction Financière")
        replace_everywhere(sample, "Mailbox Database", "BAL Comptabilité Paie")
    return Leak(["Direction Financière", "Comptabilité Paie"], zips)


def _mapi_person() -> Leak:
    sample = SampleZip.open("vmes03-2007")
    replace_everywhere(sample, '"DefaultProfile"="VMES"', '"DefaultProfile"="Jean-Baptiste Poquelin"')
    replace_everywhere(sample, "Profiles\\VMES", "Profiles\\Jean-Baptiste Poquelin")
    return Leak(["Poquelin", "Jean-Baptiste"], [sample, SAMPLES / "ems-exch07.zip"])


def _underscore_label() -> Leak:
    # DC=chantier_vinci,DC=fr: the DN pattern stopped at the underscore and "vinci" stayed
    sample = replace_everywhere(SampleZip.open("vmes05-echecs-2003"), "exemple-btp", "chantier_vinci")
    return Leak(["chantier_vinci", "vinci"], [sample])


LEAKS = {
    "hôtes de l'audit précédent (--previous)": _previous_hosts,
    "liste d'exceptions du proxy (E3)": _proxy_exceptions,
    "URL du script PAC (E3)": _pac_url,
    "proxys par protocole (E3)": _per_protocol_proxies,
    "adresse e-mail à partie locale accentuée": _accented_email,
    "UO dont le nom contient « »": _ou_with_guillemets,
    "adresses IPv6": _ipv6,
    "groupes de stockage et bases Exchange 2007": _storage_groups,
    "nom de personne d'un profil MAPI": _mapi_person,
    "label DNS avec un soulignement": _underscore_label,
}


def _paths(items: list[SampleZip | Path], folder: Path, prefix: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return [str(item.write(folder / f"{prefix}{i}.zip") if isinstance(item, SampleZip) else item)
            for i, item in enumerate(items)]


def analyse(leak: Leak, tmp: Path, formats: str, *extra: str):
    args = []
    if leak.previous:
        earlier = tmp / "avant"
        result = runner.invoke(app, ["analyze", *_paths(leak.previous, tmp / "in-avant", "p"), "-o", str(earlier),
                                     "--format", "json", "--date", "2026-06-01"])
        assert result.exit_code == 0, result.output
        args = ["--previous", str(earlier / "resultats.json")]
    return runner.invoke(app, ["analyze", *_paths(leak.samples, tmp / "in", "c"), "-o", str(tmp / "out"),
                               "--format", formats, "--client", "Client Essai", "--date", "2026-12-01",
                               *args, *extra])


def found(name: str, text: str) -> list[str]:
    """Each place ``name`` appears in ``text`` (case-insensitive; any space stands for any space)."""
    pattern = r"\s+".join(re.escape(w) for w in name.split())
    return [" ".join(text[max(0, m.start() - 60):m.end() + 30].split())
            for m in re.finditer(pattern, text, re.IGNORECASE)]


def leaks_in(folder: Path, names: list[str]) -> list[str]:
    problems = []
    for output in TEXT_OUTPUTS:
        text = (folder / output).read_text(encoding="utf-8-sig")
        if output.endswith(".json"):  # the strings as a reader sees them (no \u00e9, no \\)
            text = "\n".join(_strings(json.loads(text)))
        elif output.endswith(".html"):
            text = html.unescape(text)
        for name in names:
            problems += [f"{output} : « {name} » … {context} …" for context in found(name, text)]
    return problems


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_pseudonymised_outputs_hide_every_planted_name(case: str, tmp_path: Path) -> None:
    leak = LEAKS[case]()
    plain = analyse(leak, tmp_path / "plain", "json,html,csv")
    assert plain.exit_code == 0, plain.output
    # the test can fail: without --pseudonymise the outputs show the planted names
    assert leaks_in(tmp_path / "plain" / "out", leak.names), f"{case} : les noms plantés n'apparaissent pas"
    result = analyse(leak, tmp_path / "pseudo", "json,html,csv", "--pseudonymise")
    assert result.exit_code == 0, result.output
    problems = leaks_in(tmp_path / "pseudo" / "out", leak.names)
    assert not problems, f"{case} :\n" + "\n".join(problems)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) est requis pour ce test")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return text + "\n" + info


@pytest.mark.slow
@pytest.mark.parametrize("case", ["liste d'exceptions du proxy (E3)", "nom de personne d'un profil MAPI",
                                  "hôtes de l'audit précédent (--previous)", "label DNS avec un soulignement"])
def test_leaks_stay_out_of_the_pdf(case: str, tmp_path: Path) -> None:
    leak = LEAKS[case]()
    result = analyse(leak, tmp_path, "pdf", "--pseudonymise")
    assert result.exit_code == 0, result.output
    text = _pdf_text(tmp_path / "out" / "rapport-vmes.pdf")
    squeezed = re.sub(r"-?\n", "", text)  # a name cut at the end of a line
    problems = [f"« {n} » … {c}" for n in leak.names for c in found(n, text) + found(n, squeezed)]
    assert not problems, "\n".join(problems)
