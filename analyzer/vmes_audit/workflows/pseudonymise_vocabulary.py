"""The product's own words: the allow-list of the pseudonymisation's final check.

A customer may call a host « proxy », an OU « Administrateurs » or an account
« exchange »: those words are also in every report, written by vmes-audit
itself, whatever the customer. Such a name cannot be told apart from the word
by searching for it, so it is searched only where it *names* something
(``pseudonymise_scan.py``). The words counted as the product's are every word
vmes-audit can print on its own:

- the texts of the rule pack (titles, messages, remediations, questions,
  section titles, the action plan's roles, selection and parameter
  descriptions; never a parameter's default value, such as the default service
  account);
- the report templates and their CSS (``reports/``), Jinja markup removed;
- the string constants of the analyzer's Python code whose texts reach a
  report (labels, French messages; not the command line's or the kit's),
  docstrings excepted (their examples are sample names);
- the names Windows and Exchange give (``pseudonymise_names.KEPT_NAMES``) and
  the tokens' own words (``SERVEUR``, ``DOMAINE``…).

No dictionary is added: a French word the product never prints (« Chantiers »)
cannot be confused with the product's text, and is searched everywhere.

Words are compared folded: case, accents and compatibility forms ignored
(``Dépôt`` = ``DEPOT``).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["fold_word", "product_words", "WORD_RE"]

# a word: letters and digits, joined by hyphens or apostrophes (« View-Only », « l'éditeur »)
WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# the words of the tokens themselves (SERVEUR-1, GROUPE-ADMIN-2…)
_TOKEN_WORDS = ("client domaine serveur compte groupe organisation groupe-admin admin uo objet sid ip adresse "
                "personne profil banque")


def fold_word(text: str) -> str:
    """``Dépôt`` -> ``depot``; ``Ｅｘｃｈａｎｇｅ`` -> ``exchange``."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def strings_in(value: Any):
    """Every string of a nested value (dicts' values, lists, tuples); an Enum member is a product word."""
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def pack_texts(pack: Any) -> list[str]:
    """Every text of a rule pack that vmes-audit prints (never a parameter's value)."""
    if pack is None:
        return []
    texts = [s.title for s in pack.pack.sections]
    texts += [getattr(p, "description", "") or "" for p in pack.pack.parameters.values()]
    for rule in pack.rules:
        texts += [rule.title, rule.why, rule.remediation, rule.manual_check, rule.question, rule.observed,
                  rule.expected, rule.not_applicable] + [o.message for o in rule.outcomes]
        texts += [getattr(s, "description", "") or "" for s in rule.selections.values()]
        texts += [r.title for r in rule.references]
    if pack.action_plan is not None:
        texts += list(strings_in(pack.action_plan.model_dump(mode="json")))
    return [t for t in texts if t]


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@lru_cache(maxsize=4)
def _template_words(folder: Path) -> frozenset[str]:
    """Words of the templates, folded, and the same words as written (for the acronyms)."""
    words: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".j2", ".css", ".html") and path.is_file():
            text = _JINJA.sub(" ", path.read_text(encoding="utf-8", errors="replace"))
            found = WORD_RE.findall(text)
            words.update(fold_word(w) for w in found)
            words.update(w for w in found if w.isupper())
    return frozenset(words)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


# the layers whose texts reach a report (workflows: only the pseudonymisation's own warning; the
# command line and the kit write elsewhere)
_REPORT_LAYERS = ("base", "windows", "collection", "parsers", "security", "facts", "engine", "assessment", "report")


def _words_of_sources(sources: list[tuple[str, bytes]]) -> frozenset[str]:
    words: set[str] = set()
    for _, data in sources:
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in docstrings:
                continue
            text = node.value
            if "_" in text and not any(ch.isspace() for ch in text):
                continue  # an identifier ("EXCHANGE_SERVICE", "proxy_host"), never printed
            found = WORD_RE.findall(text)
            words.update(fold_word(w) for w in found)
            if any(ch.isspace() for ch in text.strip()):  # acronyms: from sentences and labels
                words.update(w for w in found if w.isupper())
    return frozenset(words)


@lru_cache(maxsize=1)
def _code_words() -> frozenset[str]:
    """Words of the analyzer's string constants: about a second to read, so kept in the private cache
    (``engine/pack_cache.py``), keyed by the sources' bytes, as JSON."""
    import hashlib
    import json

    from vmes_audit.engine.pack_cache import private_folder

    root = Path(__file__).resolve().parents[1]
    paths = [p for layer in _REPORT_LAYERS for p in (root / layer).rglob("*.py")]
    sources = []
    for path in sorted(paths + list(root.glob("workflows/pseudonymise*.py"))):
        try:
            sources.append((path.relative_to(root).as_posix(), path.read_bytes()))
        except OSError:
            continue
    digest = hashlib.sha256(b"vocabulary 2\n")
    for name, data in sources:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    folder = private_folder("vocabulary")
    cached = folder / f"words-{digest.hexdigest()}.json" if folder is not None else None
    try:
        if cached is not None and cached.is_file():
            return frozenset(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    words = _words_of_sources(sources)
    try:
        if cached is not None:
            temporary = cached.with_suffix(".tmp")
            temporary.write_text(json.dumps(sorted(words), ensure_ascii=False), encoding="utf-8")
            temporary.replace(cached)
    except OSError:
        pass
    return words


def product_words(pack: Any = None, extra: tuple[str, ...] = ()) -> tuple[frozenset[str], str, frozenset[str]]:
    """The allow-list: (folded words, folded text of the pack and the fixed phrases, the words the
    product writes in capitals: its acronyms). A multi-word name is the product's when the whole phrase
    appears in that text."""
    from vmes_audit.base.resources import reports_folder
    from vmes_audit.workflows.pseudonymise_names import KEPT_NAMES

    texts = pack_texts(pack) + sorted(KEPT_NAMES) + list(extra) + [_TOKEN_WORDS]
    words = set(_code_words())
    try:
        words |= _template_words(reports_folder())
    except Exception:  # noqa: BLE001 - no templates folder: the report cannot be written either
        pass
    capitals = {w for w in words if w.isupper()} | {w for w in WORD_RE.findall("\n".join(texts)) if w.isupper()}
    words -= capitals
    capitals -= {w.upper() for w in WORD_RE.findall(_TOKEN_WORDS)}  # written only in tokens (SERVEUR-1)
    phrases = fold_word("\n".join(texts))
    words.update(WORD_RE.findall(phrases))
    words.update(fold_word(w) for w in capitals)
    return frozenset(words), " ".join(phrases.split()), frozenset(capitals)
