"""``--pseudonymise``: the report with the customer's names replaced by stable
tokens (``DOMAINE-1``, ``SERVEUR-2``…), the same in the PDF, the HTML, the JSON
and the CSV, because every output is written from the one pseudonymised
:class:`AssessmentReport`.

The names come from the fact tables and from the report's texts
(``pseudonymise_names.py`` says which names and which are kept). Each text is
then rewritten in this order:

1. SIDs: ``S-1-5-21-2718840164-3042175907-1595827146-512`` →
   ``S-1-5-21-SID-DOMAINE-1-512`` (the RID stays: 512 is still Domain Admins);
2. distinguished names, component by component:
   ``CN=VistoAdmin,OU=Comptes de service,DC=exemple-btp,DC=fr`` →
   ``CN=COMPTE-1,OU=UO-1,DC=DOMAINE-1``; Exchange legacy DNs likewise;
3. e-mail addresses: ``VistoAdmin@exemple-btp.fr`` → ``COMPTE-1@DOMAINE-1``;
4. every other occurrence of a known name, whole words only, case-insensitive,
   longest name first (``exbtp01.exemple-btp.fr`` → ``SERVEUR-2.DOMAINE-1``).
   A name that is also a word of the rule pack's own texts (a proxy called
   « proxy », an account called « exchange ») is replaced only where it names
   something: before ``:port`` or ``.domain``, after « DOMAINE\\ », inside a DN
   or an e-mail address — so that « le proxy demande une authentification »
   keeps its meaning.

5. every name and each of its parts (DNS labels, both sides of
   ``DOMAIN\\account``, the words of a person's name…) wherever the final
   check would find it (``pseudonymise_scan.py``): ``DOMAINE-7_vinci`` from
   ``DC=groupe_vinci`` is caught here.

Fail-closed: the outputs are rendered in memory and searched for every
harvested name before anything is written (:class:`OutputGuard`, called by
``report.render.write_outputs``); one survivor and nothing is written, neither
the report nor the mapping, and the run stops with :class:`LeakError` (exit
code 6) naming each survivor, its output and where in it.

The mapping token → original is written to a separate JSON file that stays
with presales (by default next to the output folder, never inside it). Given
again, it keeps the tokens of an earlier run: the same customer's names get
the same tokens audit after audit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from vmes_audit.base.errors import InputError
from vmes_audit.base.findings import AssessmentReport
from vmes_audit.workflows.pseudonymise_harvest import harvest_collections, harvest_comparison
from vmes_audit.workflows.pseudonymise_scan import LeakError, NeedleSet, build_needles, scan_outputs
from vmes_audit.workflows.pseudonymise_vocabulary import product_words, strings_in
from vmes_audit.workflows.pseudonymise_names import (
    DC_CHAIN_RE,
    DN_RE,
    EMAIL_RE,
    FREE_TEXT_KINDS,
    KEPT_NAMES,
    LEGACY_DN_RE,
    LEGACY_PART_RE,
    SID_RE,
    Name,
    NameRegistry,
    dns_name_of,
    harvest_facts,
    harvest_text,
)

__all__ = ["JSON_ONLY_WARNING", "Pseudonymiser", "pseudonymise_report", "pseudonymised_outputs", "pack_vocabulary",
           "default_mapping_path", "write_mapping", "read_mapping", "TOKEN_PREFIXES", "DEFAULT_CLIENT", "LeakError",
           "OutputGuard", "PseudonymisedRun", "console_lines"]

TOKEN_PREFIXES = {
    "client": "CLIENT", "domaine": "DOMAINE", "serveur": "SERVEUR", "compte": "COMPTE", "groupe": "GROUPE",
    "organisation": "ORGANISATION", "groupe-admin": "GROUPE-ADMIN", "uo": "UO", "objet": "OBJET",
    "sid": "SID-DOMAINE", "ip": "IP", "adresse": "ADRESSE", "personne": "PERSONNE", "profil": "PROFIL",
    "banque": "BANQUE",
}
DEFAULT_CLIENT = "Client non précisé"  # assessment.py's placeholder: not a name
MAPPING_WARNING = ("Table de correspondance des pseudonymes du rapport : elle permet de retrouver les noms du "
                   "client. Elle reste chez l'avant-vente : ne la transmettez jamais avec le rapport.")
JSON_ONLY_WARNING = ("pseudonymisation à partir des seuls fichiers resultats.json, sans table de correspondance "
                     "antérieure : un nom que seul un texte libre cite (par exemple la liste des utilisateurs "
                     "protégés de F11) peut ne pas être reconnu. Pseudonymisez d'abord avec « vmes-audit analyze "
                     "… --pseudonymise » et donnez sa table ici avec --mapping, ou utilisez « analyze --previous "
                     "… --pseudonymise ».")
_RDN = re.compile(r"(?i)\b(CN|OU|O)=((?:\\.|[^,\\\r\n\"«»=])+?)(,\s?)")
_ALNUM_BEFORE = r"(?<![^\W_])"
_ALNUM_AFTER = r"(?![^\W_])"


class Pseudonymiser:
    """Collects names, numbers them, rewrites texts."""

    def __init__(self, keep: list[str] | None = None, previous_mapping: list[dict[str, str]] | None = None,
                 vocabulary: str = "", pack: Any = None) -> None:
        self.registry = NameRegistry(keep or [])
        previous_mapping = previous_mapping or []
        self.previous = {e["original"].casefold(): e["jeton"] for e in previous_mapping}
        # The names of an earlier mapping are replaced even where this report alone would not
        # recognise them (a JSON read back by `compare` has no fact tables).
        for entry in previous_mapping:
            if entry["type"] in TOKEN_PREFIXES and entry["original"].casefold() not in self.registry.names:
                self.registry.names[entry["original"].casefold()] = Name(entry["type"], entry["original"])
        self.tokens: dict[str, str] = {}  # casefold original -> token
        self.vocabulary = vocabulary  # the pack's texts: names that are also its words are "generic"
        self._free_text: re.Pattern[str] | None = None
        self._generic: re.Pattern[str] | None = None
        self.pack = pack  # its texts are the product's words (the final check's allow-list)
        self.needles = NeedleSet([])

    # -- names ---------------------------------------------------------------
    def harvest_report(self, report: AssessmentReport) -> None:
        reg = self.registry
        for client in (report.client, report.comparison.previous_client if report.comparison else ""):
            if client and client != DEFAULT_CLIENT:
                reg.add("client", client)
        for host in report.hosts:
            reg.add("serveur", host.hostname)
            reg.add_account(host.run_as)
            harvest_text(reg, host.run_as_sid)
            for label, value in host.inventory:
                if label == "Domaine":
                    reg.add("domaine", value)
                elif label == "Collecte lancée par":
                    reg.add_account(value)
        for finding in report.findings:
            reg.add("serveur", [finding.host, finding.subject])  # machines, DCs, Exchange servers
        harvest_comparison(reg, report.comparison)  # the earlier audit's hosts (--previous, compare)
        account = report.parameters.get("service_account")
        if isinstance(account, str):
            reg.add_account(account)
        for text in strings_in(report.model_dump(mode="python")):
            harvest_text(reg, text)

    def assign_tokens(self) -> None:
        """Number the names: kept tokens first, then by kind and alphabetical order."""
        reg = self.registry
        used: dict[str, int] = {}
        for token in self.previous.values():
            prefix, _, number = token.rpartition("-")
            if number.isdigit():
                used[prefix] = max(used.get(prefix, 0), int(number))
        ordered = sorted(reg.names.items(), key=lambda kv: (kv[1].kind, kv[0]))
        for key, name in ordered:
            if key in reg.aliases and reg.aliases[key] in reg.names:
                continue  # a NetBIOS name takes the token of its DNS name, below
            token = self.previous.get(key)
            if token is None:
                prefix = TOKEN_PREFIXES[name.kind]
                used[prefix] = used.get(prefix, 0) + 1
                token = f"{prefix}-{used[prefix]}"
            name.token = token
            self.tokens[key] = token
        for netbios, dns in reg.aliases.items():
            if netbios in reg.names and dns in self.tokens:
                reg.names[netbios].token = self.tokens[dns]
                self.tokens[netbios] = self.tokens[dns]
        free = [n.original for k, n in reg.names.items() if n.kind in FREE_TEXT_KINDS and k in self.tokens]
        generic = [name for name in free if self._is_generic(name)]
        free = [name for name in free if name not in generic]
        # Kept names are matched too (and left as they are), so that a customer name never
        # replaces part of a Windows name: "Admins du domaine" stays whole.
        alternatives = sorted(set(free) | {k for k in KEPT_NAMES if " " in k}, key=lambda s: (-len(s), s))
        self._free_text = re.compile(
            _ALNUM_BEFORE + "(?:" + "|".join(re.escape(a) for a in alternatives) + ")" + _ALNUM_AFTER,
            re.IGNORECASE) if alternatives else None
        generic.sort(key=lambda s: (-len(s), s))
        self._generic = re.compile(
            r"(?:(?<=\\)|" + _ALNUM_BEFORE + ")(?:" + "|".join(re.escape(g) for g in generic) + r")"
            r"(?=:\d|\.[^\W_])", re.IGNORECASE) if generic else None
        self._generic_after_domain = re.compile(
            r"(?<=\\)(?:" + "|".join(re.escape(g) for g in generic) + ")" + _ALNUM_AFTER,
            re.IGNORECASE) if generic else None
        words, phrases, acronyms = product_words(self.pack, (self.vocabulary,))
        self.needles = build_needles(((n.original, n.kind, n.token) for n in reg.names.values() if n.token),
                                     words, phrases, acronyms)

    def _is_generic(self, name: str) -> bool:
        if self.registry.kind_of(name) in ("ip", "sid", "client"):
            return False
        if len(name.strip()) < 2:
            return True  # a host called « N »: replaced where it names something, never every letter N
        if not self.vocabulary:
            return False
        return re.search(_ALNUM_BEFORE + re.escape(name) + _ALNUM_AFTER, self.vocabulary, re.IGNORECASE) is not None

    def token(self, original: str) -> str | None:
        return self.tokens.get(original.strip().casefold())

    # -- texts ---------------------------------------------------------------
    def _dn(self, match: re.Match[str]) -> str:
        dn = match.group(0)
        chain = DC_CHAIN_RE.search(dn)
        head, tail = (dn[:chain.start()], chain.group(0)) if chain else (dn, "")

        def component(m: re.Match[str]) -> str:
            value = m.group(2).replace("\\,", ",")
            token = self.token(value)
            return f"{m.group(1)}={token if token else m.group(2)}{m.group(3)}"

        head = _RDN.sub(component, head)
        if tail:
            token = self.token(dns_name_of(tail))
            if token:
                tail = f"DC={token}"
        return head + tail

    def _legacy(self, match: re.Match[str]) -> str:
        def component(m: re.Match[str]) -> str:
            token = self.token(m.group(2))
            return f"/{m.group(1)}={token if token else m.group(2)}"

        return LEGACY_PART_RE.sub(component, match.group(0))

    def _email(self, match: re.Match[str]) -> str:
        local, domain = match.groups()
        return f"{self.token(local) or local}@{self.token(domain) or domain}"

    def _sid(self, match: re.Match[str]) -> str:
        token = self.token(match.group(1))
        return f"S-1-5-21-{token}" if token else match.group(0)

    def _word(self, match: re.Match[str]) -> str:
        return self.token(match.group(0)) or match.group(0)

    def rewrite(self, text: str) -> str:
        if not text:
            return text
        text = SID_RE.sub(self._sid, text)
        text = DN_RE.sub(self._dn, text)
        text = LEGACY_DN_RE.sub(self._legacy, text)
        text = EMAIL_RE.sub(self._email, text)
        if self._generic is not None:
            text = self._generic.sub(self._word, text)
            text = self._generic_after_domain.sub(self._word, text)  # type: ignore[union-attr]
        if self._free_text is not None:
            text = self._free_text.sub(self._word, text)
        return self.needles.scrub(text)

    def apply(self, report: AssessmentReport) -> AssessmentReport:
        data = _rewrite_all(report.model_dump(mode="python"), self.rewrite)
        data["pseudonymised"] = True
        return AssessmentReport.model_validate(data)

    def mapping(self) -> dict[str, Any]:
        entries = sorted(({"jeton": n.token, "type": n.kind, "original": n.original}
                          for n in self.registry.names.values() if n.token),
                         key=lambda e: (e["type"], _token_key(e["jeton"]), e["original"].casefold()))
        return {"avertissement": MAPPING_WARNING, "jetons": entries}


def _token_key(token: str) -> tuple[str, int]:
    prefix, _, number = token.rpartition("-")
    return (prefix, int(number) if number.isdigit() else 0)


def _rewrite_all(value: Any, rewrite) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, dict):
        return {key: _rewrite_all(item, rewrite) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite_all(item, rewrite) for item in value]
    if isinstance(value, tuple):
        return tuple(_rewrite_all(item, rewrite) for item in value)
    return value


def default_mapping_path(out_dir: Path) -> Path:
    """Next to the output folder, never inside it: sending the folder does not send the mapping.

    >>> default_mapping_path(Path("/clients/exemple/rapport")).as_posix()
    '/clients/exemple/rapport-correspondance-pseudonymes.json'
    """
    folder = Path(out_dir).absolute()
    return folder.parent / f"{folder.name}-correspondance-pseudonymes.json"


def read_mapping(path: Path) -> list[dict[str, str]]:
    """The entries (``jeton``, ``type``, ``original``) of an earlier mapping file (none when the
    file does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [{"jeton": str(e["jeton"]), "type": str(e["type"]), "original": str(e["original"])}
                   for e in data["jetons"]]
        if any(not re.fullmatch(r"[A-Z]+(?:-[A-Z]+)*-\d+", e["jeton"]) for e in entries):
            raise TypeError("jeton invalide")
        return entries
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"la table de correspondance « {path} » est illisible ({exc.__class__.__name__}) : "
                         "corrigez-la ou indiquez un autre fichier avec --mapping.") from None


def write_mapping(path: Path, mapping: dict[str, Any]) -> None:
    """The mapping holds the real names: written whole, never through a symbolic link."""
    from vmes_audit.base.output_folder import write_file

    write_file(Path(path), (json.dumps(mapping, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def pack_vocabulary(pack: Any) -> str:
    """The words of a rule pack's texts (templates, before any customer name is put in)."""
    if pack is None:
        return ""
    parts = [s.title for s in pack.pack.sections]
    for rule in pack.rules:
        parts += [rule.title, rule.why, rule.remediation, rule.manual_check, rule.question, rule.observed,
                  rule.expected, rule.not_applicable] + [o.message for o in rule.outcomes]
    return "\n".join(p for p in parts if p)


def pseudonymise_report(report: AssessmentReport, facts: Any = None,
                        previous_mapping: list[dict[str, str]] | None = None, pack: Any = None
                        ) -> tuple[AssessmentReport, dict[str, Any]]:
    """The pseudonymised report and its mapping (to write with :func:`write_mapping`).
    ``pack``: the rule pack, whose words tell generic names apart (see the module docstring)."""
    out, mapping, _ = _pseudonymise(report, facts, previous_mapping, pack)
    return out, mapping


def _pseudonymise(report: AssessmentReport, facts: Any, previous_mapping: list[dict[str, str]] | None,
                  pack: Any) -> tuple[AssessmentReport, dict[str, Any], NeedleSet]:
    keep = [str(report.parameters.get(k, "")) for k in ("noc_host", "noc_address")]  # the vendor's, not the customer's
    engine = Pseudonymiser(keep=keep, previous_mapping=previous_mapping, vocabulary=pack_vocabulary(pack), pack=pack)
    if facts is not None:
        harvest_facts(engine.registry, facts)
        harvest_collections(engine.registry, facts.assessment.collections)
    engine.harvest_report(report)
    engine.assign_tokens()
    out = engine.apply(report)
    warning = ("Rapport pseudonymisé : les noms du client sont remplacés par des jetons (DOMAINE-1, SERVEUR-1…) ; "
               "la table de correspondance reste chez l'avant-vente.")
    out.warnings = [warning] + list(out.warnings)
    return out, engine.mapping(), engine.needles


def console_lines(report: AssessmentReport) -> list[str]:
    """What the command line prints from the report (``cli.main._print_summary``): the pack, the
    warnings, the evolution since the earlier audit."""
    from vmes_audit.assessment.compare import evolution_summary

    lines = [f"{report.pack_id} {report.pack_version} {report.vmes_release}"] + list(report.warnings)
    if report.comparison is not None:
        lines += [evolution_summary(report.comparison), report.comparison.pack_note]
        lines += list(report.comparison.warnings)
    return [line for line in lines if line]


@dataclass
class OutputGuard:
    """Called by ``report.render.write_outputs`` with every output in memory, before anything is
    written: raises :class:`LeakError` if a customer name survived, else writes the mapping."""

    report: AssessmentReport
    needles: NeedleSet
    mapping: dict[str, Any]
    mapping_path: Path

    def __call__(self, contents: dict[str, bytes], pdf_document: Any = None) -> None:
        survivors = scan_outputs(self.needles, contents, pdf_document, console_lines(self.report))
        if survivors:
            raise LeakError(survivors)
        try:
            write_mapping(self.mapping_path, self.mapping)
        except OSError as exc:
            raise InputError(f"impossible d'écrire la table de correspondance « {self.mapping_path} » "
                             f"({exc.strerror or exc}) : rapport non écrit.") from None


@dataclass
class PseudonymisedRun:
    report: AssessmentReport  # to write
    mapping_path: Path  # written by ``check`` once the outputs are clean
    check: OutputGuard  # give it to write_outputs(..., check=)


def pseudonymised_outputs(report: AssessmentReport, out_dir: Path, mapping_path: Path | None = None,
                          facts: Any = None, pack: Any = None) -> PseudonymisedRun:
    """For ``--pseudonymise``: the report to write, where the mapping goes (extended when it exists,
    so that the tokens stay those of the earlier runs) and the check that writes it."""
    path = Path(mapping_path) if mapping_path is not None else default_mapping_path(out_dir)
    out, mapping, needles = _pseudonymise(report, facts, read_mapping(path), pack)
    return PseudonymisedRun(out, path, OutputGuard(out, needles, mapping, path))
