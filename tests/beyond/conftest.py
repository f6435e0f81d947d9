"""Fixtures of the beyond-one-report tests: the samples arranged as customers'
organisations, a corrected copy of the failing 2003 sample, an upgraded copy of
the rule pack."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

# Each organisation is the zips a customer sends together (README, "Samples").
ORGANISATIONS: dict[str, list[str]] = {
    "assurances": ["vmes01-2003-conforme.zip", "exch01-2003sp2.zip"],
    "transports": ["vmes03-2007.zip", "ems-exch07.zip"],
    "sante": ["vmes04-mixte.zip", "ems-sante-exs07.zip"],
    "industrie": ["srvdc01-2000-non-conforme.zip"],
    "btp": ["vmes05-echecs-2003.zip"],
    "logistique": ["vmes06-echecs-2007.zip", "ems-exlog07.zip"],
    "proxy": ["vmes02-2003-proxy.zip"],
    "tse": ["vmes07-2003sp2-tse.zip"],
    "negoce": ["loose-workgroup"],
}
FAILING = ("industrie", "btp", "logistique", "tse")


def source_of(sample: str) -> Path:
    """The readable sources of a sample (a loose folder is its own source)."""
    name = sample.removesuffix(".zip")
    return SAMPLES / "src" / name if (SAMPLES / "src" / name).is_dir() else SAMPLES / name


def inputs_of(organisation: str) -> list[Path]:
    return [SAMPLES / name for name in ORGANISATIONS[organisation]]


def _builder():
    spec = importlib.util.spec_from_file_location("build_samples", SAMPLES / "build_samples.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def build_zip(source: Path, target: Path) -> Path:
    """A collection zip built from sources, exactly as ``make samples`` does."""
    _, data = _builder().build_one(source)
    target.write_bytes(data)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name}: « {old} » absent (the sample changed?)"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="session")
def corrected_btp(tmp_path_factory) -> Path:
    """vmes05-echecs-2003 after the customer fixed two things and collected again two weeks later:
    the service account's mailbox is visible in the address book (F5) and Outlook is
    uninstalled from the VMES machine, the Exchange tools reinstalled so that MAPI.Session is again
    Exchange's CDO instead of Outlook's (B5's remediation)."""
    folder = tmp_path_factory.mktemp("corrected") / "vmes05-corrige"
    shutil.copytree(SAMPLES / "src" / "vmes05-echecs-2003", folder)
    account = folder / "ad_service_account.txt"
    _replace(account, "msExchHideFromAddressLists=TRUE", "msExchHideFromAddressLists=FALSE")
    _replace(account, "showInAddressBook[]!", "showInAddressBook[]=CN=Liste d'adresses globale par défaut,"
             "CN=All Global Address Lists,CN=Address Lists Container,CN=Exemple BTP,CN=Microsoft Exchange,"
             "CN=Services,CN=Configuration,DC=exemple-btp,DC=fr")
    uninstall = folder / "reg_uninstall.reg"
    text = uninstall.read_text(encoding="utf-8")
    text, n = re.subn(r"\[HKEY_LOCAL_MACHINE[^\]]*\{901A040C-6000-11D3-8CFE-0150048383C9\}\]\n(?:\"[^\n]*\n)*\n?", "",
                      text)
    assert n == 1, "the Outlook 2003 key of the sample was not found"
    uninstall.write_text(text, encoding="utf-8")
    _replace(folder / "reg_values.txt", "Data=C:\\\\Program Files\\\\Fichiers communs\\\\System\\\\MSMAPI\\\\1036\\\\CDO.DLL",
             "Data=C:\\\\Program Files\\\\Exchsrvr\\\\bin\\\\CDO.DLL")
    _replace(folder / "collection.yaml", 'started: "2026-11-25T15:44:09+01:00"', 'started: "2026-12-09T10:12:01+01:00"')
    _replace(folder / "collection.yaml", 'ended: "2026-11-25T15:45:12+01:00"', 'ended: "2026-12-09T10:13:07+01:00"')
    _replace(folder / "collection.yaml", "output: vmes05-echecs-2003.zip", "output: vmes05-corrige.zip")
    return build_zip(folder, folder.parent / "vmes05-corrige.zip")


@pytest.fixture(scope="session")
def upgraded_pack(tmp_path_factory) -> Path:
    """The pack as a later release: version 1.1.0, one new rule (C8) and b5-no-outlook
    renamed b5-outlook-absent (its former id kept as an alias)."""
    target = tmp_path_factory.mktemp("pack") / "vmes-5.5"
    shutil.copytree(ROOT / "rules" / "vmes-5.5", target)
    pack = yaml.safe_load((target / "pack.yaml").read_text(encoding="utf-8"))
    pack["version"] = "1.1.0"
    (target / "pack.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rule = yaml.safe_load((target / "c6-virtualization.yaml").read_text(encoding="utf-8"))
    rule.update(id="c8-virtual-platform-listed", catalogue="C8", title="Plate-forme de virtualisation recensée")
    (target / "c8-virtual-platform-listed.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    shutil.copy(target / "c6-virtualization.cases.yaml", target / "c8-virtual-platform-listed.cases.yaml")
    rule = yaml.safe_load((target / "b5-no-outlook.yaml").read_text(encoding="utf-8"))
    rule.update(id="b5-outlook-absent", aliases=["b5-no-outlook"])
    (target / "b5-outlook-absent.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    (target / "b5-no-outlook.yaml").unlink()
    (target / "b5-no-outlook.cases.yaml").rename(target / "b5-outlook-absent.cases.yaml")
    plan = yaml.safe_load((target / "action-plan.yaml").read_text(encoding="utf-8"))
    plan["steps"]["c8-virtual-platform-listed"] = {"role": "machine"}
    (target / "action-plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return target
