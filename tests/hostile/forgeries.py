"""Randomised families of issue 18 over whole analyses: homonyms and lookalike names, manifest claims.

Each family draws one forgery from a seed and says what must hold:

- ``homonym``: the compliant Exchange 2007 organisation (vmes03 + ems-exch07) loses its real
  evidence of ViewOnlyAdmin; a forged one is planted instead — an administrator whose Identity is a
  variation of the account's (another OU, another domain, a bare name, a suffix, another case,
  Cyrillic or full-width lookalike letters), or a role group of a lookalike DN (another OU, a
  lookalike name). F8 must never say « Conforme ».
- ``claim``: one claim of the compliant organisation's manifest is changed to something its
  artifacts contradict (the machine's name, the collecting account's SID, the service account,
  impossible dates, a foreign collector, a dry run). H4 must not say « Conforme » and the verdict must
  not be « Prêt ».

``run(family, seed, tmp)`` builds the zips, analyses them and raises AssertionError when the
property fails; ``tests/hostile/test_fuzz.py`` runs a few seeds, ``run_fuzz.py`` many.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.hostile.conftest import analyse, finding
from tests.hostile.kit import SAMPLES, SampleZip

__all__ = ["FAMILIES", "run"]

ROLE_GROUP = ("CN=Exchange View-Only Administrators,OU=Microsoft Exchange Security Groups,"
              "DC=ad,DC=exemple-transports,DC=fr")
ACCOUNT = "ad.exemple-transports.fr/Exemple/Comptes de service/VistoAdmin"
_LOOKALIKE = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "A": "\u0391", "V": "\u0474"}


def _lookalike(rng: random.Random, text: str) -> str:
    """The same text with one letter swapped for a Cyrillic/Greek lookalike or a full-width form."""
    spots = [i for i, ch in enumerate(text) if ch in _LOOKALIKE or ch.isascii() and ch.isalpha()]
    i = rng.choice(spots)
    ch = text[i]
    swapped = _LOOKALIKE.get(ch) if ch in _LOOKALIKE and rng.random() < 0.6 else chr(ord(ch) + 0xFEE0)
    return text[:i] + swapped + text[i + 1:]


def _homonym_identity(rng: random.Random) -> str:
    ou = rng.choice(["Users", "Autres comptes", "Exemple/Comptes", "Exemple/Comptes de service/Sous-OU",
                     "Comptes de service"])
    forms = [
        f"ad.exemple-transports.fr/{ou}/VistoAdmin",
        f"autre-domaine.fr/Exemple/Comptes de service/VistoAdmin",
        "VistoAdmin", "TRANSPORTS2\\VistoAdmin", "AUTRE\\VistoAdmin",
        f"{ACCOUNT}{rng.choice(['-test', '2', ' ', '.', '_old'])}",
        _lookalike(rng, ACCOUNT),
        "CN=VistoAdmin,OU=" + rng.choice(["Users", "Autres"]) + ",DC=ad,DC=exemple-transports,DC=fr",
    ]
    return rng.choice(forms)


def _lookalike_group_dn(rng: random.Random) -> str:
    name = "Exchange View-Only Administrators"
    if rng.random() < 0.5:
        name = _lookalike(rng, name)
    ou = rng.choice(["OU=Groupes,OU=Exemple", "OU=Microsoft Exchange Security Group",
                     "OU=Microsoft Exchange Security Groups,OU=Exemple", "CN=Users",
                     "OU=Microsoft Exchange Security Groups"])
    domain = rng.choice(["DC=ad,DC=exemple-transports,DC=fr", "DC=autre,DC=fr"])
    dn = f"CN={name},{ou},{domain}"
    return dn if dn.lower() != ROLE_GROUP.lower() else f"CN={name},OU=Groupes,{domain}"


def _without_the_role(vmes: SampleZip, ems: SampleZip) -> None:
    vmes.set_text("ad_service_account_groups", vmes.text("ad_service_account_groups").replace(
        ROLE_GROUP, "CN=GG-Lecture,OU=Groupes,OU=Exemple,DC=ad,DC=exemple-transports,DC=fr").replace(
        "Name=Exchange View-Only Administrators", "Name=GG-Lecture"))
    ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator").replace(
        ACCOUNT, "ad.exemple-transports.fr/Users/Administrateur2"))


def homonym(seed: int, tmp: Path) -> str:
    rng = random.Random(seed)
    vmes, ems = SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")
    _without_the_role(vmes, ems)
    if rng.random() < 0.5:
        planted = _homonym_identity(rng)
        ems.set_text("ems_exchangeadministrator", ems.text("ems_exchangeadministrator") +
                     f"\r\nIdentity : {planted}\r\nRole     : ViewOnlyAdmin\r\nScope    :\r\n\r\n")
    else:
        planted = _lookalike_group_dn(rng)
        name = planted.split(",", 1)[0][3:]
        vmes.set_text("ad_service_account_groups", vmes.text("ad_service_account_groups").replace(
            "CN=GG-Lecture,OU=Groupes,OU=Exemple,DC=ad,DC=exemple-transports,DC=fr", planted).replace(
            "Name=GG-Lecture", f"Name={name}"))
    report = analyse([vmes.write(tmp / f"v{seed}.zip"), ems.write(tmp / f"e{seed}.zip")]).report
    f8 = finding(report, "f8-exchange2007-view-only-admin")
    assert f8.state.value != "pass", (seed, planted, f8.message)
    return f8.state.value


def _claim(rng: random.Random, sample: SampleZip) -> str:
    change = rng.choice(["host", "run_as", "account", "dates", "collector", "dry_run"])
    manifest = sample.manifest
    if change == "host":
        manifest["host"]["name"] = rng.choice(["APPLI02", "VMES01B", "SRV-" + str(rng.randrange(100)), "EXCH01"])
    elif change == "run_as":
        manifest["run_as"]["sid"] = f"S-1-5-21-{rng.randrange(1, 2**32)}-{rng.randrange(1, 2**32)}-" \
                                    f"{rng.randrange(1, 2**32)}-{rng.choice([500, 1103, 1200])}"
    elif change == "account":
        manifest["parameters"]["service_account"] = rng.choice(["svc-vmes", "VistoAdmin2", "Administrateur"])
    elif change == "dates":
        manifest["started"], manifest["ended"] = manifest["ended"], manifest["started"]
    elif change == "collector":
        manifest["collector"] = {"name": rng.choice(["collecte-maison", "vmes-audit-ems", "VMES-AUDIT"]),
                                 "version": "1.1.0"}
    else:
        manifest["parameters"]["dry_run"] = True
    return change


def claim(seed: int, tmp: Path) -> str:
    rng = random.Random(seed)
    sample = SampleZip.open("vmes01-2003-conforme")
    change = _claim(rng, sample)
    report = analyse([sample.write(tmp / f"c{seed}.zip"), SAMPLES / "exch01-2003sp2.zip"]).report
    h4 = finding(report, "h4-collection-claims")
    assert h4.state.value in ("fail", "warn"), (seed, change, h4.state, h4.message)
    assert report.verdict.value != "pret", (seed, change)
    return f"{change} : {h4.state.value}"


FAMILIES = {"homonymes et sosies": homonym, "déclarations du manifeste": claim}


def run(family: str, seed: int, tmp: Path) -> str:
    return FAMILIES[family](seed, tmp)
