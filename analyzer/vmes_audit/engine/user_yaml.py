"""Every YAML file a user gives (waivers, answers, settings) is read here, with limits.

Such a file comes from a colleague, a customer or a shared folder: it is
hostile input. A 500-byte "billion laughs" (aliases of aliases of lists)
expands into 10⁹ nodes as soon as anything walks it: ``--waivers`` took 45 s
and 5.5 GB before this loader. So:

- the file is at most :data:`MAX_BYTES` and must be UTF-8 text (a BOM is accepted);
- at most :data:`MAX_ALIASES` aliases (``*ancre``), and the document, walked with
  every alias expanded, at most :data:`MAX_NODES` values and :data:`MAX_DEPTH` levels;
- only plain YAML: the safe loader (no tag builds a Python object);
- every problem is an :class:`~vmes_audit.base.errors.InputError` in French, naming
  the file, the line and the column, never PyYAML's English.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from vmes_audit.base.errors import InputError, os_error_text

__all__ = ["load_user_yaml", "MAX_BYTES", "MAX_ALIASES", "MAX_NODES", "MAX_DEPTH"]

MAX_BYTES = 1024 * 1024  # a waivers or answers file of a few hundred lines is a few kilobytes
MAX_ALIASES = 100
MAX_NODES = 100_000
MAX_DEPTH = 50

# PyYAML's problems, in French (the start of its English sentence → ours).
_PROBLEMS = [
    ("mapping values are not allowed here", "« : » inattendu (mettez la valeur entre guillemets)"),
    ("found character '\\t' that cannot start any token", "tabulation interdite : indentez avec des espaces"),
    ("found character", "caractère inattendu"),
    ("could not find expected ':'", "« : » attendu après le nom du champ"),
    ("found undefined alias", "alias (*nom) qui ne renvoie à aucune ancre (&nom)"),
    ("found unexpected end of stream", "fin de fichier inattendue (guillemet non fermé ?)"),
    ("found unknown escape character", "séquence d'échappement inconnue entre guillemets doubles"),
    ("expected <block end>", "indentation incohérente"),
    ("expected ',' or ']'", "liste entre crochets mal fermée"),
    ("expected ',' or '}'", "objet entre accolades mal fermé"),
    ("could not determine a constructor for the tag", "étiquette YAML (!…) non acceptée"),
    ("found duplicate anchor", "ancre (&nom) définie deux fois"),
    ("expected a single document", "un seul document YAML attendu (pas de ligne « --- » au milieu)"),
]


class _TooBig(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting aliases as it composes the document."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _TooBig(f"plus de {MAX_ALIASES} alias (*nom), ligne {mark.line + 1} : un tel fichier "
                              "n'en a pas besoin")
        return super().compose_node(parent, index)


def _check_size(data: Any) -> None:
    """Walk the document with every alias expanded; stop at the first limit passed."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _TooBig(f"plus de {MAX_NODES:,} valeurs une fois les alias développés".replace(",", "\u202f"))
        if depth > MAX_DEPTH:
            raise _TooBig(f"plus de {MAX_DEPTH} niveaux d'imbrication")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value.keys())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _problem(exc: yaml.YAMLError) -> str:
    text = str(getattr(exc, "problem", "") or exc)
    french = next((fr for en, fr in _PROBLEMS if text.startswith(en)), "syntaxe YAML incorrecte")
    mark = getattr(exc, "problem_mark", None)
    where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark is not None else ""
    return french + where


def load_user_yaml(path: Path, what: str) -> Any:
    """The YAML document of ``path`` (``what``: "Le fichier de dérogations"), or an InputError in French."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise InputError(f"{what} « {path} » est un dossier : indiquez le fichier YAML.") from None
    except FileNotFoundError:
        raise InputError(f"{what} « {path} » est introuvable.") from None
    except OSError as exc:
        raise InputError(f"{what} « {path} » est illisible ({os_error_text(exc)}).") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"{what} « {path.name} » dépasse {MAX_BYTES // 1024} Ko : ce n'est pas un fichier "
                         "de vmes-audit (quelques Ko suffisent).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} « {path.name} » n'est pas un texte UTF-8 (octet {exc.start + 1}) : "
                         "enregistrez-le en UTF-8.") from None
    if "\x00" in text:
        raise InputError(f"{what} « {path.name} » contient des caractères nuls : ce n'est pas un fichier texte.")
    loader = _BoundedLoader(text)
    try:
        data = loader.get_single_data()
        _check_size(data)
    except _TooBig as exc:
        raise InputError(f"{what} « {path.name} » refusé : {exc.text}.") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{what} « {path.name} » n'est pas un YAML valide : {_problem(exc)}.") from None
    except RecursionError:
        raise InputError(f"{what} « {path.name} » refusé : imbrication trop profonde.") from None
    finally:
        loader.dispose()
    return data


def as_date(value: Any) -> datetime.date | None:
    """A date given as YAML's ``2026-12-02`` or as ``02/12/2026``; None when empty; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date « {text[:40]} » non reconnue (AAAA-MM-JJ ou JJ/MM/AAAA attendu)")
