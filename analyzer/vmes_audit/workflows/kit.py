"""The customer kit: one zip presales send, with the collector and its parameters.

``vmes-audit kit -o DIR --account svc-vmes --client "Exemple SA"`` writes
``DIR/vmes-audit-kit-exemple-sa-20261201.zip``::

    collect.cmd  collect.vbs  collect-ems.ps1   the released collector, byte for byte
    collect-params.txt                          the parameters (docs/collection-format.md §8)
    questionnaire.yaml                          the questions no collection can answer (RAID, users…),
                                                for the customer to fill in (engine/answers.py)
    LISEZMOI.txt                                the stock notice, after a header naming the
                                                account, the NOC and the pack (cp1252, CRLF)
    SHA256SUMS.txt                              ``<sha256> *<file>`` for each file above

The collector is never edited: it reads ``collect-params.txt`` next to it, and a
command-line option still wins over the file. The zip is deterministic (same
parameters and date, same bytes) and is written like a report
(``report/output_folder.py``): whole or not at all, never through a link.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vmes_audit import __version__
from vmes_audit.engine.answers import QuestionItem, pack_questions
from vmes_audit.engine.pack import LoadedPack
from vmes_audit.base.errors import InputError
from vmes_audit.base.output_folder import write_file
from vmes_audit.base.resources import collector_file

__all__ = ["KitParameters", "Kit", "KitError", "kit_parameters", "build_kit", "write_kit", "email_text",
           "params_file", "notice_file", "is_account_name", "is_host_name", "PARAMS_FILE", "SUMS_FILE",
           "NOTICE_FILE", "COLLECTOR_FILES"]

PARAMS_FILE = "collect-params.txt"
QUESTIONNAIRE_FILE = "questionnaire.yaml"
SUMS_FILE = "SHA256SUMS.txt"
NOTICE_FILE = "LISEZMOI.txt"
COLLECTOR_FILES = ("collect.cmd", "collect.vbs", "collect-ems.ps1")
# What may reach a command line on the customer's machine (the LISEZMOI's runas line, the collector's
# ping and WQL): the same strict grammars as collector/src/grammar.vbs.
# An account: 1 to 20 letters (cp1252 accented ones included), digits, spaces, dots, hyphens and
# underscores, with no space or dot at either end. 20 is the SAM's limit for a user name (MS-SAMR
# 2.2.7.1). Active Directory also accepts & % ! ^ ( ) in a sAMAccountName: they change a cmd line.
_ACCOUNT = re.compile(r"[A-Za-z0-9_\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]"
                      r"(?:[A-Za-z0-9 ._\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]{0,18}"
                      r"[A-Za-z0-9_\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff])?")
# A DNS name: labels of ASCII letters, digits and hyphens (RFC 1123), 253 characters at most.
_HOSTNAME = re.compile(r"(?=.{1,253}\.?\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?", re.ASCII)
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
                   re.ASCII)


class KitError(InputError):
    """A kit parameter presales gave is not usable (French message)."""


@dataclass(frozen=True)
class KitParameters:
    account: str
    noc_host: str
    noc_port: int
    noc_address: str
    client: str
    pack_id: str
    pack_version: str
    vmes_release: str
    made_on: date
    questions: tuple[QuestionItem, ...] = ()  # what the collection cannot establish (questionnaire.yaml)

    @property
    def pack(self) -> str:
        return f"{self.pack_id} {self.pack_version}"


@dataclass
class Kit:
    name: str
    data: bytes
    parameters: KitParameters | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _text_value(label: str, value: str, max_length: int) -> str:
    value = value.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise KitError(f"{label} : caractère de contrôle refusé (saut de ligne, tabulation…).")
    if len(value) > max_length:
        raise KitError(f"{label} : {len(value)} caractères, {max_length} au plus.")
    try:
        value.encode("cp1252")
    except UnicodeEncodeError as exc:
        raise KitError(f"{label} : le caractère « {value[exc.start]} » ne s'écrit pas en Windows-1252, "
                       "le jeu de caractères du collecteur.") from exc
    return value


def is_account_name(value: str) -> bool:
    r"""The service account's grammar, shared with the collector (``collector/src/grammar.vbs``).

    >>> [is_account_name(v) for v in ("VistoAdmin", "svc.vmès", "svc&start calc&rem", "CORP\\svc", " x")]
    [True, True, False, False, False]
    """
    return _ACCOUNT.fullmatch(value) is not None


def is_host_name(value: str) -> bool:
    r"""A DNS name (RFC 1123) or an IPv4 address, nothing else (``collector/src/grammar.vbs``).

    >>> [is_host_name(v) for v in ("push.sfr.fr", "206.124.113.45", "localhost&echo x&rem", "h\\n", "300.1.1.1")]
    [True, True, False, False, False]
    """
    return _HOSTNAME.fullmatch(value) is not None and not value.replace(".", "").isdigit() \
        or _IPV4.fullmatch(value) is not None


def _account(value: str, label: str = "--account") -> str:
    value = _text_value(label, value, 64)
    if not value:
        raise KitError(f"{label} : nom du compte de service vide.")
    if not is_account_name(value):
        hint = " ; indiquez le nom du compte seul, sans le domaine" if {"\\", "@"} & set(value) else ""
        raise KitError(f"{label} : « {value} » n'est pas accepté comme nom de compte (1 à 20 lettres, chiffres, "
                       f"espaces, points, tirets ou soulignés, sans espace ni point aux extrémités{hint}). "
                       "Les caractères qui changent le sens d'une ligne de commande (& | < > ^ % ! ( ) \" ') "
                       "sont refusés : le compte figure dans la commande runas du kit.")
    return value


def _host(value: str, label: str = "--noc") -> str:
    if is_host_name(value):
        return value.rstrip(".")
    raise KitError(f"{label} : « {value} » n'est ni un nom DNS (lettres, chiffres, tirets et points) ni une "
                   "adresse IPv4.")


def _is_ipv4(value: str) -> bool:
    return _IPV4.fullmatch(value) is not None


def _port(value: object, label: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise KitError(f"{label} : port « {text} » invalide (un nombre de 1 à 65535 est attendu).")
    return int(text)


def _noc(value: str) -> tuple[str, int | None]:
    """``push.sfr.fr:443`` → ("push.sfr.fr", 443); ``push.sfr.fr`` → ("push.sfr.fr", None)."""
    value = value.strip()
    host, sep, port = value.rpartition(":")
    if not sep:
        return _host(value), None
    return _host(host), _port(port, "--noc")


def kit_parameters(pack: LoadedPack, *, account: str | None = None, noc: str | None = None,
                   nocaddr: str | None = None, client: str | None = None, made_on: date | None = None
                   ) -> KitParameters:
    """Check presales' options; what is not given comes from the pack's defaults.

    As for the collector's ``/noc:``, a NOC given without its address is probed at its name.
    """
    defaults = pack.default_params()
    where = f"pack {pack.pack.id} {pack.pack.version}, paramètre"
    host = _host(str(defaults["noc_host"]), f"{where} noc_host")
    port = _port(defaults["noc_port"], f"{where} noc_port")
    address = str(defaults["noc_address"])
    if not _is_ipv4(address):
        raise KitError(f"{where} noc_address : « {address} » n'est pas une adresse IPv4.")
    if noc is not None:
        host, given_port = _noc(noc)
        port = given_port if given_port is not None else port
        address = host
    if nocaddr is not None:
        nocaddr = nocaddr.strip()
        if not _is_ipv4(nocaddr):
            raise KitError(f"--nocaddr : « {nocaddr} » n'est pas une adresse IPv4.")
        address = nocaddr
    return KitParameters(
        account=_account(account) if account is not None else _account(str(defaults["service_account"]),
                                                                       f"{where} service_account"),
        noc_host=host, noc_port=port, noc_address=address,
        client=_text_value("--client", client or "", 100),
        pack_id=pack.pack.id, pack_version=pack.pack.version, vmes_release=pack.pack.vmes_release,
        made_on=made_on or date.today(), questions=tuple(pack_questions(pack)))


def _crlf(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def params_file(p: KitParameters) -> bytes:
    """``collect-params.txt`` exactly as docs/collection-format.md §8 gives it."""
    lines = ["# Paramètres de collecte préparés par l'avant-vente (vmes-audit kit)",
             f"account={p.account}", f"noc={p.noc_host}:{p.noc_port}", f"nocaddr={p.noc_address}"]
    if p.client:
        lines.append(f"client={p.client}")
    lines.append(f"pack={p.pack}")
    return _crlf(lines)


def _paragraph(text: str, width: int = 76) -> list[str]:
    """Wrapped lines that never start with the ':' or ';' of French typography ("rien : il")."""
    glued = re.sub(r" ([:;?!»])", "\u00a0\\1", text).replace("« ", "«\u00a0")
    lines = textwrap.wrap(glued, width=width, break_long_words=False, break_on_hyphens=False)
    return [line.replace("\u00a0", " ") for line in lines]


def _notice_header(p: KitParameters) -> list[str]:
    title = "KIT DE COLLECTE VMES-AUDIT" + (f" PRÉPARÉ POUR {p.client.upper()}" if p.client else "")
    address = f" (adresse {p.noc_address})" if p.noc_address != p.noc_host else ""
    return [
        title, "=" * len(title), "",
        *_paragraph(f"Kit préparé le {p.made_on:%d/%m/%Y} par votre contact avant-vente avec vmes-audit "
                    f"{__version__}, pour l'audit des prérequis de VMES {p.vmes_release} (pack de règles "
                    f"{p.pack_id}, version {p.pack_version})."),
        "",
        *_paragraph(f"Paramètres de la collecte (fichier {PARAMS_FILE}, lu par collect.vbs ; une option de la "
                    "ligne de commande l'emporte sur lui) :"),
        "",
        f"  Compte de service VMES : {p.account}",
        f"  NOC testé              : {p.noc_host}, port {p.noc_port}{address}",
        "",
        "Sur la future machine VMES, sous le compte de service, lancez par exemple :",
        "",
        f"  runas /user:\"DOMAINE\\{p.account}\" \"cmd /k cd /d C:\\vmes-audit && collect.cmd\"",
        "",
        *_paragraph(f"Contrôle d'intégrité : {SUMS_FILE} donne l'empreinte SHA-256 de chaque fichier du kit ; "
                    "l'empreinte de l'archive elle-même figure dans le message qui l'accompagne. Pour vérifier "
                    "un fichier :"),
        "  PowerShell : Get-FileHash -Algorithm SHA256 collect.vbs",
        f"  Linux      : sha256sum -c {SUMS_FILE}",
        "",
        *(_paragraph(f"Le fichier {QUESTIONNAIRE_FILE} pose les questions que la collecte ne peut pas trancher "
                     "(disques en RAID, nombre d'utilisateurs prévus…) : complétez-le (avec le Bloc-notes, par "
                     "exemple) et renvoyez-le avec l'archive de collecte.") + [""] if p.questions else []),
        "La suite de ce fichier est la notice du collecteur.",
        "", "",
    ]


def notice_file(p: KitParameters, stock: bytes) -> bytes:
    """The stock ``LISEZMOI.txt`` (cp1252, CRLF), after a header with this kit's parameters."""
    return _crlf(_notice_header(p)) + stock


def _zip(members: dict[str, bytes], made_on: date) -> bytes:
    buffer = io.BytesIO()
    stamp = (made_on.year, made_on.month, made_on.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # MS-DOS: no Unix attributes to interpret on the customer's side
            archive.writestr(info, data)
    return buffer.getvalue()


def _slug(text: str) -> str:
    """``Société Générale & Fils`` → ``societe-generale-fils`` (a file-name part)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40]


def build_kit(p: KitParameters) -> Kit:
    members = {name: collector_file(name) for name in COLLECTOR_FILES}
    members[PARAMS_FILE] = params_file(p)
    if p.questions:
        from vmes_audit.report.questionnaire import questionnaire_bytes, questionnaire_text

        members[QUESTIONNAIRE_FILE] = questionnaire_bytes(questionnaire_text(
            list(p.questions), client=p.client, pack=p.pack, vmes_release=p.vmes_release, made_on=None,
            origin=f"Kit de collecte du {p.made_on:%d/%m/%Y}"))
    members[NOTICE_FILE] = notice_file(p, collector_file(NOTICE_FILE))
    sums = [f"{hashlib.sha256(data).hexdigest()} *{name}" for name, data in members.items()]
    members[SUMS_FILE] = ("\r\n".join(sums) + "\r\n").encode("ascii")
    name = f"vmes-audit-kit-{_slug(p.client) or 'client'}-{p.made_on:%Y%m%d}.zip"
    return Kit(name=name, data=_zip(members, p.made_on), parameters=p)


def write_kit(kit: Kit, out_dir: Path) -> Path:
    return write_file(Path(out_dir) / kit.name, kit.data)


def email_text(kit: Kit) -> str:
    """A short French message presales paste into their e-mail to the customer."""
    p = kit.parameters
    assert p is not None
    subject = f"Objet : Collecte des prérequis VMES {p.vmes_release}" + (f" – {p.client}" if p.client else "")
    lines = [subject, "", "Bonjour,", ""]
    lines += _paragraph(f"Pour préparer l'installation de VMES {p.vmes_release}, merci d'exécuter l'outil de "
                        f"collecte ci-joint ({kit.name}) sur la future machine VMES, sous le compte de service "
                        f"{p.account}, comme l'explique le fichier {NOTICE_FILE} de l'archive. L'outil ne modifie "
                        "rien : il lit la configuration et produit une archive VMES-<MACHINE>-<date>.zip à nous "
                        "renvoyer. Pour Exchange 2007, lancez aussi collect-ems.ps1 dans l'Exchange Management "
                        "Shell." + (f" Merci aussi de compléter le questionnaire {QUESTIONNAIRE_FILE} de "
                                    "l'archive et de nous le renvoyer avec la collecte." if p.questions else ""), 72)
    lines += ["", "Empreinte SHA-256 de l'archive jointe, pour votre équipe sécurité :", kit.sha256,
              f"(l'empreinte de chaque fichier est dans {SUMS_FILE})", ""]
    lines += _paragraph("Si votre messagerie bloque l'archive parce qu'elle contient des scripts, dites-le-nous : "
                        "nous vous la ferons parvenir autrement.", 72)
    lines += ["", "Cordialement,"]
    return "\n".join(lines) + "\n"
