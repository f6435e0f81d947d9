"""``facts/claims.py``: what a manifest claims, held to its artifacts (check H4), one ``claims`` row per claim.

Each case is VMES01's manifest (collected from 14:02:11 to 14:03:02 on 20/11/2026, reported on 01/12/2026)
with one claim changed, or an artifact that contradicts it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.facts.collection_folder import (RECORDS, SA_SID, facts_of, oem, rows, utf16, write_collection,
                                           write_loose)
from tests.facts.directory_records import TEXTS, directory

TODAY = date(2026, 12, 1)
REGISTRY = {"wmi_registry": utf16(RECORDS + "[Win32_Registry]\nCurrentSize=21\nMaximumSize=88\n")}
COLLECTED = "du 20/11/2026 14:02 au 20/11/2026 14:03"
COLLECTOR = ("collecteur", "vmes-audit-collector 1.1.0", "vmes-audit-collector 1.1.0", "ok", "")
DATES = ("dates", COLLECTED, COLLECTED, "ok", "")
DRY = ("collecte à blanc", "non", "non", "ok", "")


def claims(folder: Path) -> list[tuple]:
    return [(r["claim"], r["claimed"], r["observed"], r["status"], r["detail"])
            for r in rows(facts_of(folder, today=TODAY), "claims")]


def test_an_intact_manifest_confirms_every_claim(tmp_path: Path) -> None:
    assert claims(write_collection(tmp_path, REGISTRY)) == [DATES, COLLECTOR, DRY]


@pytest.mark.parametrize("started,ended,expected", [
    ("2026-11-20T14:03:02+01:00", "2026-11-20T14:02:11+01:00",
     ("dates", "du 20/11/2026 14:03 au 20/11/2026 14:02", "fin avant le début", "contradiction",
      "la collecte de VMES01 se serait terminée (20/11/2026 14:02) avant d'avoir commencé (20/11/2026 14:03)")),
    ("2026-11-18T14:02:11+01:00", "2026-11-20T14:03:02+01:00",
     ("dates", "du 18/11/2026 14:02 au 20/11/2026 14:03", "durée de 2 jour(s)", "doubt",
      "la collecte de VMES01 aurait duré plus de 24 heures (du 18/11/2026 14:02 au 20/11/2026 14:03)")),
    ("2001-11-20T14:02:11+01:00", "2001-11-20T14:03:02+01:00",
     ("dates", "du 20/11/2001 14:02 au 20/11/2001 14:03", "antérieure à 2003", "doubt",
      "la collecte de VMES01 est datée du 20/11/2001, avant Windows Server 2003 : horloge de la machine fausse ou "
      "manifeste modifié")),
    ("2026-12-05T14:02:11+01:00", "2026-12-05T14:03:02+01:00",
     ("dates", "du 05/12/2026 14:02 au 05/12/2026 14:03", "rapport du 01/12/2026", "doubt",
      "la collecte de VMES01 est datée du 05/12/2026, après la date du rapport (01/12/2026) : horloge de la machine "
      "fausse ou manifeste modifié")),
    ("2026-04-20T14:02:11+02:00", "2026-04-20T14:03:02+02:00",
     ("dates", "du 20/04/2026 14:02 au 20/04/2026 14:03", "rapport du 01/12/2026", "doubt",
      "la collecte de VMES01 date du 20/04/2026, plus de six mois avant le rapport : la configuration a pu changer "
      "depuis")),
    # seed 2394354321 of the long fuzz run: a start without offset (read as UTC) against an end with one
    ("2026-11-20T14:03:02", "2026-11-20T14:02:11+01:00",
     ("dates", "du 20/11/2026 14:03 au 20/11/2026 14:02", "fin avant le début", "contradiction",
      "la collecte de VMES01 se serait terminée (20/11/2026 14:02) avant d'avoir commencé (20/11/2026 14:03)")),
    # seed 2911861688 (seed 11): an end whose UTC form is beyond datetime's range
    ("2026-11-20T14:02:11+01:00", "9999-12-31T23:59:59-23:59",
     ("dates", "du 20/11/2026 14:02 au 31/12/9999 23:59", "durée de 2912120 jour(s)", "doubt",
      "la collecte de VMES01 aurait duré plus de 24 heures (du 20/11/2026 14:02 au 31/12/9999 23:59)")),
])
def test_dates(tmp_path, started, ended, expected) -> None:
    assert claims(write_collection(tmp_path, REGISTRY, started=started, ended=ended)) == [expected, COLLECTOR, DRY]


@pytest.mark.parametrize("collector,mode,expected", [
    ({"name": "collecte-maison", "version": "1.0"}, "vmes",
     ("collecteur", "collecte-maison 1.0", "collecteur inconnu", "contradiction",
      "l'archive de VMES01 se dit écrite par « collecte-maison », qui n'est pas un collecteur de vmes-audit "
      "(collect.vbs écrit « vmes-audit-collector », collect-ems.ps1 « vmes-audit-ems »)")),
    ({"name": "vmes-audit-ems", "version": "1.1.0"}, "vmes",
     ("collecteur", "vmes-audit-ems 1.1.0, mode vmes", "vmes-audit-ems n'écrit pas ce mode", "contradiction",
      "le manifeste de VMES01 déclare le mode « vmes », que vmes-audit-ems n'écrit jamais")),
    ({"name": "vmes-audit-collector", "version": "1.1.0-dev"}, "vmes",
     ("collecteur", "vmes-audit-collector 1.1.0-dev", "version illisible", "contradiction",
      "la version « 1.1.0-dev » du collecteur de VMES01 n'est pas une version de vmes-audit")),
    ({"name": "vmes-audit-collector", "version": "2.0.0"}, "vmes",
     ("collecteur", "vmes-audit-collector 2.0.0", "versions connues : 1.0, 1.1", "doubt",
      "le collecteur de VMES01 (vmes-audit-collector 2.0.0) n'est pas une version que cet analyseur connaît : mettre "
      "vmes-audit à jour, ou vérifier l'origine de l'archive")),
])
def test_collector(tmp_path, collector, mode, expected) -> None:
    assert claims(write_collection(tmp_path, REGISTRY, collector=collector, mode=mode)) == [DATES, expected, DRY]


def test_a_dry_run_never_writes_an_archive(tmp_path: Path) -> None:
    parameters = {"service_account": "VistoAdmin", "dry_run": True}
    assert claims(write_collection(tmp_path, REGISTRY, parameters=parameters))[2] == (
        "collecte à blanc", "oui (/dryrun)", "une archive a été écrite", "contradiction",
        "le manifeste de VMES01 déclare une collecte à blanc (/dryrun), qui n'écrit jamais d'archive : l'archive a été "
        "fabriquée ou modifiée")


WHOAMI_ADMIN = '"Nom d\'utilisateur","SID"\n"vmes01\\administrateur","S-1-5-21-3623811015-3361044348-30300820-500"\n'


@pytest.mark.parametrize("artifacts,expected", [
    # WMI names another machine than the manifest
    ({"wmi_computersystem": utf16(RECORDS + "[Win32_ComputerSystem]\nName=APPLI02\nDomainRole=3\n")},
     ("nom de la machine", "VMES01", "APPLI02 (WMI Win32_ComputerSystem)", "contradiction",
      "VMES01 : le nom de la machine diffère selon la source (WMI Win32_ComputerSystem : « APPLI02 » ; "
      "manifeste : « VMES01 »)")),
    # whoami /user shows the built-in Administrator; the manifest claims the service account
    ({"whoami_user": oem(WHOAMI_ADMIN)},
     ("compte qui a lancé la collecte (SID)", SA_SID, "S-1-5-21-3623811015-3361044348-30300820-500 (whoami /user)",
      "contradiction", "VMES01 : le compte qui a lancé la collecte (SID) diffère selon la source (whoami /user : "
      f"« S-1-5-21-3623811015-3361044348-30300820-500 » ; manifeste : « {SA_SID} »)")),
])
def test_identities_contradicted_by_the_machine(tmp_path, artifacts, expected) -> None:
    assert claims(write_collection(tmp_path, {**REGISTRY, **artifacts})) == [DATES, COLLECTOR, DRY, expected]


@pytest.mark.parametrize("account,expected", [
    ("VistoAdmin", ("compte de service", "VistoAdmin", "VistoAdmin", "ok", "")),
    # the directory returned another account than the one the collector was asked about
    ("VistoAdm1n", ("compte de service", "VistoAdmin", "VistoAdm1n", "contradiction",
                    "la collecte déclare avoir recherché le compte « VistoAdmin », mais l'annuaire collecté a rendu "
                    "« VistoAdm1n » : les vérifications du compte porteraient sur un autre compte")),
])
def test_the_service_account_the_directory_returned(tmp_path, account, expected) -> None:
    user = TEXTS["ad_service_account"].replace("sAMAccountName=VistoAdmin", f"sAMAccountName={account}")
    found = rows(facts_of(write_collection(tmp_path, directory(ad_service_account=user)), today=TODAY), "claims")
    assert [(r["host"], r["artifact"], r["claim"], r["claimed"], r["observed"], r["status"], r["detail"])
            for r in found][3:] == [("", "ad_service_account", *expected)]


def test_loose_files_claim_nothing(tmp_path: Path) -> None:
    # no manifest: no claim to hold to the artifacts, no row (never an "ok" that checked nothing)
    folder = write_loose(tmp_path / "VMES01", {"wmi_registry.txt": REGISTRY["wmi_registry"]})
    assert claims(folder) == []
