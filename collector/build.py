#!/usr/bin/env python3
"""Build the released collector ``collector/collect.vbs`` from ``collector/src/*.vbs``.

The customer runs (and their security team reads) one file; we maintain it as
modules. This script concatenates the modules in the order of ``MODULES``
under a generated header, as ASCII with CRLF line ends, and checks what the
customer's Windows needs: pure ASCII, ``Option Explicit`` first, and no
module-level statement outside ``main.vbs`` (``main.vbs`` calls ``Main`` at
its top, so a statement placed in a later module would never run).

    python3 collector/build.py            # write collector/collect.vbs
    python3 collector/build.py --check    # exit 1 if the committed file differs

Standard library only: the build must run on any presales laptop.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUTPUT = HERE / "collect.vbs"
CATALOGUE = HERE / "artifacts.toml"  # the artifact catalogue the analyzer reads too

# Reading order of the released file: entry point first, then the steps in
# the order they run, then the machinery they share.
MODULES = (
    "main.vbs",      # constants, shared state, Main
    "args.vbs",      # command line and collect-params.txt
    "platform.vbs",  # environment, Windows version, folders
    "steps.vbs",     # artifact declarations, running one step
    "dryrun.vbs",    # /dryrun
    "records.vbs",   # record files
    "hex.vbs",       # binary values as hex (MSXML bin.hex)
    "commands.vbs",  # external commands
    "wmi.vbs",
    "registry.vbs",
    "files.vbs",
    "account.vbs",
    "ldap.vbs",      # the LDAP query catalogue of the format contract, section 5.1
    "ad.vbs",        # one step per ad_* artifact
    "sd.vbs",        # security descriptors, section 5.3
    "network.vbs",
    "manifest.vbs",
    "hash.vbs",
    "zip.vbs",
    "text.vbs",
    "grammar.vbs",   # strict grammars of what may reach a command line
    "errors.vbs",
    "clock.vbs",
)

_VERSION = re.compile(r'^Const COLLECTOR_VERSION = "([0-9.]+)"', re.M)
_FORMAT = re.compile(r'^Const FORMAT_VERSION = "([0-9.]+)"', re.M)
# What a module other than main.vbs may hold at its top level.
_ALLOWED_TOP = re.compile(
    r"^(?:'.*|\s*|(?:Dim|Const|Private|Public)\b.*|(?:Function|Sub)\s+\w+.*|End (?:Function|Sub)\s*)$",
    re.I,
)
_PROC_START = re.compile(r"^(?:Function|Sub)\s+\w+", re.I)
_PROC_END = re.compile(r"^End (?:Function|Sub)\s*$", re.I)


class BuildError(Exception):
    """A module breaks a rule of the released file (message names file and line)."""


def _module_text(name: str) -> str:
    path = SRC / name
    raw = path.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(f"{path}:{line}: non-ASCII character (write {{e9}} and pass the text to Fr())") from None
    text = text.replace("\r\n", "\n")
    if "\t" in text:
        line = text[: text.index("\t")].count("\n") + 1
        raise BuildError(f"{path}:{line}: tab character (indent with spaces)")
    return text.rstrip("\n") + "\n"


def _check_top_level(name: str, text: str) -> None:
    if name == "main.vbs":
        return
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not inside and _PROC_START.match(stripped):
            inside = True
            continue
        if inside:
            if _PROC_END.match(stripped):
                inside = False
            continue
        if re.match(r"^\s*Dim\b.*\w\s*\(\s*\d", line, re.I):
            raise BuildError(f"{SRC / name}:{number}: fixed-size array at module level (never allocated: "
                             f"main.vbs calls Main first); ReDim it in a procedure")
        if not _ALLOWED_TOP.match(line):
            raise BuildError(f"{SRC / name}:{number}: statement outside a procedure (never runs: main.vbs calls Main first): {stripped}")


def _vbs_string(text: str) -> str:
    """A VBScript string literal, its non-ASCII letters written as Fr() codes ("syst{e8}me")."""
    coded = "".join(ch if ord(ch) < 128 else (f"{{{ord(ch):02x}}}" if ord(ch) < 256 else f"{{{ord(ch):04x}}}")
                    for ch in text)
    return '"' + coded.replace('"', '""') + '"'


def declarations_text() -> str:
    """``Sub DeclareArtifacts()``: one ``Decl`` per artifact of the catalogue that collect.vbs writes
    (name, file extension, console label, procedure, command, modes), in the catalogue's order."""
    with CATALOGUE.open("rb") as handle:
        catalogue = tomllib.load(handle)
    lines = ["Sub DeclareArtifacts()", "  gDeclCount = 0", "  ReDim gDecl(0)"]
    for name, entry in catalogue.items():
        if entry["collector"] == "ems":
            continue  # collect-ems.ps1's own list (tests/product/test_artifact_catalogue.py)
        if not re.fullmatch(r"[a-z0-9_]{1,64}", name):
            raise BuildError(f"{CATALOGUE}: artifact name {name!r}: lower-case letters, digits and _ only")
        args = [name, entry["ext"], entry["label"], entry["collector"], entry.get("command", ""),
                " ".join(entry["modes"])]
        lines.append("  Decl " + ", ".join(_vbs_string(str(a)) for a in args))
    lines.append("End Sub")
    return "\n".join(lines) + "\n"


def build_text(edit=None) -> str:
    """The released collect.vbs, as text with LF line ends (see ``build_bytes``).

    ``edit`` (tests only: a *test build*) is called as ``edit(module_name, text)`` on each module's
    text, after the checks, and returns the text to use: e.g. a module with a deliberate error."""
    missing = sorted({p.name for p in SRC.glob("*.vbs")} - set(MODULES))
    if missing:
        raise BuildError(f"modules missing from MODULES in build.py: {', '.join(missing)}")
    texts = {name: _module_text(name) for name in MODULES}
    for name, text in texts.items():
        _check_top_level(name, text)
    if edit is not None:
        texts = {name: edit(name, text) for name, text in texts.items()}
    main = texts["main.vbs"]
    version = _VERSION.search(main)
    fmt = _FORMAT.search(main)
    if not version or not fmt:
        raise BuildError("main.vbs: COLLECTOR_VERSION or FORMAT_VERSION not found")
    first_code = next(line for line in main.split("\n") if line.strip() and not line.lstrip().startswith("'"))
    if first_code.strip() != "Option Explicit":
        raise BuildError("main.vbs: Option Explicit must be the first statement")
    bar = "' " + "=" * 76
    header = [
        bar,
        f"' collect.vbs - vmes-audit-collector {version.group(1)} (format de collecte {fmt.group(1)})",
        "'",
        "' FICHIER GENERE par collector/build.py a partir des modules collector/src/*.vbs",
        "' (un en-tete \"module :\" marque le debut de chacun) : ne pas le modifier a la",
        "' main, modifier le module puis relancer  python3 collector/build.py",
        bar,
        "",
    ]
    parts = ["\n".join(header)]
    for name in MODULES:
        parts.append(f"' {'-' * 30} module : src/{name} {'-' * max(4, 34 - len(name))}\n" + texts[name])
        if name == "steps.vbs":
            parts.append(f"' {'-' * 30} genere : artifacts.toml {'-' * 23}\n" + declarations_text())
    return "\n".join(parts)


def build_bytes(edit=None) -> bytes:
    """The released file as Windows wants it: ASCII, CRLF (``edit``: see ``build_text``)."""
    return build_text(edit).replace("\n", "\r\n").encode("ascii")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if collect.vbs differs from the build")
    args = parser.parse_args(argv)
    try:
        data = build_bytes()
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if OUTPUT.read_bytes() != data:
            print(f"{OUTPUT} differs from its modules: run python3 collector/build.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_bytes(data)
    print(f"{OUTPUT}: {len(data)} bytes, {len(MODULES)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
