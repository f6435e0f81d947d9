"""Randomised customer names planted in a sample, for the pseudonymisation fuzz family
(``test_fuzz_pseudonymise.py``, ``run_fuzz.py``). A seed gives one case: where the name goes (a
*slot*: an Exchange server, the VMES host, the DNS domain, an OU, an e-mail address, the proxy, a
MAPI profile, a storage group, an IPv6 address, the client, the earlier audit's host…) and the name
itself, in one *style*: accents, underscores, digits, very short (1–2 characters), very long (a
63-character label, a 64-character OU), or equal to a French word the report itself writes.

The oracle does not ask the pseudonymiser what it knows: a planted name, and each of its pieces of 4
letters or more, must not appear in any output as a whole word — or, when the same word appears in
the outputs of the intact sample (« service », « proxy ») or is shorter than 3, where it names
something (``x\\name``, ``name.corp``, ``name:8080``, ``=name,``, ``name@``, ``/name``,
``« name »``) and, for a
name in capitals, wherever it is written so. Tokens (``SERVEUR-1``) are not names. A name Windows
or Exchange gives (« Administrateurs », « Exchange ») names no customer and is not searched for. A
run that refuses to write (exit code 6) is a correct outcome.

>>> case = make_case(7)
>>> case.slot in SLOTS and bool(case.name)
True
"""

from __future__ import annotations

import html
import ipaddress
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tests.beyond.names import WINDOWS_NAMES
from tests.hostile.kit import SAMPLES, SampleZip, clone_server, rename_host

__all__ = ["Case", "make_case", "SLOTS", "STYLES", "run_case", "Outcome"]

FRENCH_WORDS = ["service", "proxy", "serveur", "domaine", "exchange", "administrateurs", "messagerie",
                "utilisateurs", "comptes", "groupe", "réseau", "test", "agence", "chantier", "direction", "siège",
                "informatique", "compte", "machine", "boîte", "lettres", "conforme", "sous", "pour", "client"]
STYLES = ["accents", "underscore", "digits", "short", "long", "french"]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ACCENTED = "éèêëàâäîïôöùûüçœÿ"


def _label(rng: random.Random, style: str) -> str:
    """A DNS or NetBIOS-like label."""
    if style == "french":
        return rng.choice([w for w in FRENCH_WORDS if w.isascii()])
    if style == "short":
        return rng.choice(_LETTERS) + "".join(rng.choice(_LETTERS + "0123456789") for _ in range(rng.randint(0, 1)))
    length = 63 if style == "long" else rng.randint(3, 12)
    alphabet = _LETTERS + {"underscore": "_-", "digits": "0123456789", "accents": "", }.get(style, "")
    text = rng.choice(_LETTERS) + "".join(rng.choice(alphabet) for _ in range(length - 1))
    if style == "underscore" and "_" not in text:
        text = text[:-2] + "_" + text[-1]
    return text


def _words(rng: random.Random, style: str) -> str:
    """A free name: an OU, a person, a storage group, an organisation."""
    if style == "french":
        return " ".join(rng.choice(FRENCH_WORDS) for _ in range(rng.randint(1, 2)))
    if style == "short":
        return "".join(rng.choice(_LETTERS.upper()) for _ in range(rng.randint(1, 2)))
    words = []
    for _ in range(rng.randint(1, 3)):
        alphabet = _LETTERS + (_ACCENTED * 2 if style == "accents" else "") + (
            "_" if style == "underscore" else "") + ("0123456789" if style == "digits" else "")
        length = rng.randint(3, 9)
        words.append(rng.choice(_LETTERS).upper() + "".join(rng.choice(alphabet) for _ in range(length - 1)))
    text = rng.choice([" ", "-", " « "]).join(words) if len(words) > 1 else words[0]
    if "«" in text:
        text += " »"
    if style == "long":
        text = (text + " " + "x" * 64)[:64]
    return text


@dataclass
class Case:
    seed: int
    slot: str
    style: str
    name: str
    samples: list[SampleZip | Path] = field(default_factory=list)
    previous: list[SampleZip | Path] = field(default_factory=list)
    client: str = "Client Essai"
    base: str = ""  # the intact inputs' key, for the oracle's baseline


def _replace(sample: SampleZip, old: str, new: str) -> SampleZip:
    for entry in sample.manifest["artifacts"]:
        if entry.get("status") == "ok" and entry.get("file") in sample.files:
            text = sample.text(entry["name"])
            if old in text:
                sample.set_text(entry["name"], text.replace(old, new))
    return sample


def _exchange_server(case: Case, rng: random.Random) -> None:
    case.name = _label(rng, case.style).upper()[:15]
    case.samples = [clone_server(SampleZip.open("vmes06-echecs-2007"), "EXLOG07", [case.name])]
    case.base = "vmes06-echecs-2007"


def _vmes_host(case: Case, rng: random.Random) -> None:
    case.name = _label(rng, case.style).upper()[:15]
    case.samples = [rename_host(SampleZip.open("vmes01-2003-conforme"), case.name), SAMPLES / "exch01-2003sp2.zip"]
    case.base = "vmes01-2003-conforme+exch01-2003sp2"


def _dns_domain(case: Case, rng: random.Random) -> None:
    case.name = _label(rng, case.style)
    case.samples = [_replace(SampleZip.open("vmes05-echecs-2003"), "exemple-btp", case.name)]
    case.base = "vmes05-echecs-2003"


def _ou(case: Case, rng: random.Random) -> None:
    case.name = _words(rng, case.style)
    case.samples = [_replace(SampleZip.open("vmes05-echecs-2003"), "OU=Chantiers", f"OU={case.name}")]
    case.base = "vmes05-echecs-2003"


def _mail(case: Case, rng: random.Random) -> None:
    case.name = ".".join(_words(rng, case.style).replace(" ", "").replace("«", "").replace("»", "").split("-"))
    case.samples = [_replace(SampleZip.open("vmes05-echecs-2003"), "mail=VistoAdmin@exemple-btp.fr",
                             f"mail={case.name}@exemple-btp.fr")]
    case.base = "vmes05-echecs-2003"


def _proxy(case: Case, rng: random.Random) -> None:
    case.name = _label(rng, case.style)
    sample = SampleZip.open("vmes02-2003-proxy")
    where = rng.choice(["server", "override", "pac"])
    text = sample.text("net_proxy")
    if where == "server":
        text = text.replace("ProxyServer=proxy.corp.exemple.fr:8080",
                            f"ProxyServer=http={case.name}.zone-{case.seed % 97}.lan:3128;https=proxy.corp.exemple.fr:8080")
    elif where == "override":
        text = text.replace("ProxyOverride=<local>;*.corp.exemple.fr", f"ProxyOverride=<local>;{case.name};*.corp.exemple.fr")
    else:
        text = text.replace("AutoConfigURL=http://wpad.corp.exemple.fr/proxy.pac", f"AutoConfigURL=http://{case.name}/x.pac")
    case.samples = [sample.set_text("net_proxy", text)]
    case.base = "vmes02-2003-proxy"


def _mapi_profile(case: Case, rng: random.Random) -> None:
    case.name = _words(rng, case.style).replace("\\", "")
    sample = _replace(SampleZip.open("vmes03-2007"), '"DefaultProfile"="VMES"', f'"DefaultProfile"="{case.name}"')
    case.samples = [_replace(sample, "Profiles\\VMES", f"Profiles\\{case.name}"), SAMPLES / "ems-exch07.zip"]
    case.base = "vmes03-2007+ems-exch07"


def _storage_group(case: Case, rng: random.Random) -> None:
    case.name = _words(rng, case.style).replace("\\", "")
    zips = [SampleZip.open("vmes03-2007"), SampleZip.open("ems-exch07")]
    old = rng.choice(["First Storage Group", "Mailbox Database"])
    case.samples = [_replace(z, old, case.name) for z in zips]
    case.base = "vmes03-2007+ems-exch07"


def _ipv6(case: Case, rng: random.Random) -> None:
    case.name = str(ipaddress.IPv6Address(rng.getrandbits(128) | (0x2001 << 112)))
    case.samples = [_replace(SampleZip.open("vmes01-2003-conforme"), "Addresses[]=10.1.20.30",
                             f"Addresses[]={case.name}\r\nAddresses[]=10.1.20.30"), SAMPLES / "exch01-2003sp2.zip"]
    case.base = "vmes01-2003-conforme+exch01-2003sp2"


def _client(case: Case, rng: random.Random) -> None:
    case.name = case.client = _words(rng, case.style)
    case.samples = [SAMPLES / "vmes05-echecs-2003.zip"]
    case.base = "vmes05-echecs-2003"


def _previous_host(case: Case, rng: random.Random) -> None:
    case.name = _label(rng, case.style).upper()[:15]
    case.previous = [rename_host(SampleZip.open("vmes01-2003-conforme"), case.name), SAMPLES / "exch01-2003sp2.zip"]
    case.samples = [SAMPLES / "vmes01-2003-conforme.zip", SAMPLES / "exch01-2003sp2.zip"]
    case.base = "vmes01-2003-conforme+exch01-2003sp2"


def _organisation(case: Case, rng: random.Random) -> None:
    case.name = _words(rng, case.style).replace("/", "").replace(",", "")
    case.samples = [_replace(SampleZip.open("vmes05-echecs-2003"), "Exemple BTP", case.name)]
    case.base = "vmes05-echecs-2003"


SLOTS = {
    "serveur Exchange": _exchange_server, "hôte VMES": _vmes_host, "domaine DNS": _dns_domain, "UO": _ou,
    "adresse e-mail": _mail, "proxy": _proxy, "profil MAPI": _mapi_profile, "banque Exchange 2007": _storage_group,
    "adresse IPv6": _ipv6, "client": _client, "hôte de l'audit précédent": _previous_host,
    "organisation Exchange": _organisation,
}


def make_case(seed: int) -> Case:
    rng = random.Random(seed)
    case = Case(seed=seed, slot=rng.choice(sorted(SLOTS)), style=rng.choice(STYLES), name="")
    SLOTS[case.slot](case, rng)
    return case


# -- the oracle -----------------------------------------------------------------------------------
def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", html.unescape(text))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


_TOKEN = re.compile(r"(?i)(?<![^\W_])(?:sid-domaine|groupe-admin|[a-z]+)-\d+(?!\d)")
def _windows_principals() -> set[str]:
    """The localised names of Windows' well-known principals (« Réseau », « Tout le monde »…)."""
    from vmes_audit.windows.sids import DOMAIN_RIDS, WELL_KNOWN_SIDS

    names = set()
    for label in list(WELL_KNOWN_SIDS.values()) + list(DOMAIN_RIDS.values()):
        names.update(part.strip().split("\\")[-1] for part in re.split(r"[()]", label) if part.strip())
    return {fold(n) for n in names}


# names Windows, Exchange and the product give: nobody's name
NOBODY = {fold(n) for n in WINDOWS_NAMES} | _windows_principals() | {
    "exchange", "microsoft", "windows", "vmes", "outlook", "administrateur", "invite"}


def _texts(folder: Path) -> tuple[str, str]:
    """The outputs' text, folded, and as written (tokens blanked in both)."""
    parts = []
    for name in ("resultats.json", "resultats.csv", "rapport-vmes.html"):
        path = folder / name
        if path.exists():
            text = path.read_text(encoding="utf-8-sig")
            if name.endswith(".json"):
                text = "\n".join(_strings(json.loads(text)))
            else:  # the HTML, without the product's CSS (a.pageref is no host « A »)
                text = html.unescape(re.sub(r"(?is)<style\b.*?</style>", " ", text))
            parts.append(text)
    written = _TOKEN.sub(" ", "\n".join(parts))
    return fold(written), written


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def pieces(name: str) -> list[str]:
    """The name and its pieces of 4 letters or more (words, labels, dot-separated parts)."""
    found = [name] + [p for p in re.split(r"[\s.@\\/«»'-]+", name) if len(re.sub(r"\W", "", p)) >= 4]
    return list(dict.fromkeys(p for p in found if p.strip(" «»")))


def leaks(name: str, outputs: tuple[str, str], baseline: tuple[str, str]) -> list[str]:
    folded, written = outputs
    problems = []
    for piece in pieces(name):
        needle = fold(piece)
        core = re.sub(r"[\W_]", "", needle)
        if not core or core.isdigit() or needle in NOBODY:
            continue
        word = re.escape(needle)
        anywhere = re.compile(r"(?<![^\W_])" + word + r"(?![^\W_])")
        if anywhere.search(baseline[0]) or len(core) < 3:  # the report writes this word anyway
            before = r"[\\@/=]" if len(core) >= 3 else r"[\\@=]"  # dsacls /G: a switch, not a host « g »
            pattern = re.compile(r"(?:(?<=" + before + ")" + word + r"(?![\w-]|\s?=)|(?<![\w-])" + word
                                 + r"(?=:\d|\.[^\W_]|[\\@])|(?<=«\s)" + word + r"(?=\s»))")
            if piece.isupper() and len(core) >= 2 and not re.search(
                    r"(?<![^\W_])" + re.escape(piece) + r"(?![^\W_])", baseline[1]):
                capitals = re.compile(r"(?<![^\W_])" + re.escape(piece) + r"(?![^\W_]|\s?=)")
                problems += [f"« {piece} » (capitales) … {written[max(0, m.start() - 50):m.end() + 30]} …"
                             for m in capitals.finditer(written)]
        else:
            pattern = anywhere
        found = list(pattern.finditer(folded))
        if pattern is not anywhere and len(found) <= len(pattern.findall(baseline[0])):
            # a word the intact collection's report writes at the same kind of place just as often (the
            # label « fr » and the NOC's host push.sfr.fr:443): a public name, not the customer's
            continue
        for match in found:
            problems.append(f"« {piece} » … {folded[max(0, match.start() - 50):match.end() + 30]} …")
    return problems


# -- running a case -------------------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str  # "propre", "refusé (code 6)", "FUITE", "BUG …"
    detail: str = ""


def _paths(items, folder: Path, prefix: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return [str(i.write(folder / f"{prefix}{n}.zip") if isinstance(i, SampleZip) else i) for n, i in enumerate(items)]


def _analyse(samples, previous, client: str, tmp: Path) -> tuple[int, str, Path]:
    from typer.testing import CliRunner

    from vmes_audit.cli.main import app

    runner = CliRunner()
    extra = []
    if previous:
        result = runner.invoke(app, ["analyze", *_paths(previous, tmp / "in-avant", "p"), "-o", str(tmp / "avant"),
                                     "--format", "json", "--date", "2026-06-01"])
        if result.exit_code != 0:
            return result.exit_code, result.output, tmp / "avant"
        extra = ["--previous", str(tmp / "avant" / "resultats.json")]
    out = tmp / "out"
    result = runner.invoke(app, ["analyze", *_paths(samples, tmp / "in", "c"), "-o", str(out), "--format",
                                 "json,html,csv", "--pseudonymise", "--client", client, "--date", "2026-12-01", *extra])
    return result.exit_code, result.output, out


@lru_cache(maxsize=32)
def _baseline(base: str, previous: bool, tmp: str) -> tuple[str, str]:
    samples = [SAMPLES / f"{name}.zip" for name in base.split("+")]
    code, output, out = _analyse(samples, list(samples) if previous else [], "Client Essai", Path(tmp) / f"base-{base}-{previous}")
    assert code == 0, output
    return _texts(out)


def run_case(case: Case, tmp: Path, baseline_folder: Path) -> Outcome:
    code, output, out = _analyse(case.samples, case.previous, case.client, tmp)
    if code == 6:
        return Outcome("refusé (code 6)", output.splitlines()[1] if len(output.splitlines()) > 1 else output)
    if code != 0:
        return Outcome(f"BUG code de sortie {code}", output[-400:])
    found = leaks(case.name, _texts(out), _baseline(case.base, bool(case.previous), str(baseline_folder)))
    if found:
        return Outcome("FUITE", "\n".join(found[:5]))
    return Outcome("propre")
