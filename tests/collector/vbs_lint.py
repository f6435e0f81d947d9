"""A small static checker for the collector's VBScript.

Most of the Active Directory code cannot run under Wine (its ADSI is stubs),
and VBScript reports an undeclared variable or a wrong number of arguments
only when the line runs: on the customer's server. This checker reads the
released ``collect.vbs`` and reports, with the line number:

- identifiers that are neither a local (``Dim``, parameter), a global, a
  procedure, nor a VBScript keyword, built-in function or constant
  (``Option Explicit`` would fail at run time);
- calls to the script's own procedures with the wrong number of arguments;
- names declared twice at module level ("Name redefined" at load time).

It is deliberately simple (no full grammar): comments and string literals are
blanked, line continuations joined, statements split on ``:`` and
single-line ``If ... Then ... Else``. Member names (after a ``.``) are not
checked: they belong to COM objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = {
    "and", "byref", "byval", "call", "case", "class", "const", "dim", "do", "each", "else", "elseif",
    "empty", "end", "eqv", "error", "exit", "explicit", "false", "for", "function", "get", "goto", "if",
    "imp", "in", "is", "let", "loop", "mod", "new", "next", "not", "nothing", "null", "on", "option",
    "or", "preserve", "private", "property", "public", "redim", "rem", "resume", "select", "set", "step",
    "sub", "then", "to", "true", "until", "wend", "while", "with", "xor",
}
BUILTINS = {
    "abs", "array", "asc", "ascb", "ascw", "atn", "cbool", "cbyte", "ccur", "cdate", "cdbl", "chr", "chrb",
    "chrw", "cint", "clng", "cos", "createobject", "csng", "cstr", "date", "dateadd", "datediff", "datepart",
    "dateserial", "datevalue", "day", "escape", "eval", "exp", "filter", "fix", "formatcurrency",
    "formatdatetime", "formatnumber", "formatpercent", "getlocale", "getobject", "getref", "hex", "hour",
    "inputbox", "instr", "instrb", "instrrev", "int", "isarray", "isdate", "isempty", "isnull", "isnumeric",
    "isobject", "join", "lbound", "lcase", "left", "leftb", "len", "lenb", "log", "ltrim", "mid", "midb",
    "minute", "month", "monthname", "msgbox", "now", "oct", "replace", "rgb", "right", "rightb", "rnd",
    "round", "rtrim", "scriptengine", "second", "setlocale", "sgn", "sin", "space", "split", "sqr",
    "strcomp", "string", "strreverse", "tan", "time", "timer", "timeserial", "timevalue", "trim",
    "typename", "ubound", "ucase", "unescape", "vartype", "weekday", "weekdayname", "year",
    # objects and constants of the engine and of WSH
    "wscript", "err", "regexp", "vbcrlf", "vbcr", "vblf", "vbtab", "vbnullstring", "vbnullchar",
    "vbboolean", "vbdate", "vbsingle", "vbdouble", "vbcurrency", "vbobject", "vbstring", "vbobjecterror",
    "vbtextcompare", "vbbinarycompare", "vbinteger", "vblong", "vbarray", "vbvariant", "vbbyte",
    "vbempty", "vbnull",
}
_IDENT = re.compile(r"(?<![\w.#&])([A-Za-z_]\w*)")
_PROC = re.compile(r"^\s*(?:(?:Public|Private)\s+)?(Function|Sub)\s+(\w+)\s*(?:\((.*)\))?\s*$", re.I)
_END_PROC = re.compile(r"^\s*End\s+(Function|Sub)\b", re.I)
_DIM = re.compile(r"^\s*(?:Dim|ReDim(?:\s+Preserve)?|Private|Public)\s+(.*)$", re.I)
_CONST = re.compile(r"^\s*(?:(?:Public|Private)\s+)?Const\s+(\w+)\s*=", re.I)


@dataclass
class Proc:
    name: str
    kind: str
    params: list[str]
    line: int
    locals: set[str] = field(default_factory=set)
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


def _blank(line: str) -> str:
    """Blank string literals (keeping quotes) and drop the comment."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c == '"':
            j = i + 1
            while j < n:
                if line[j] == '"':
                    if j + 1 < n and line[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            out.append('"' + " " * (j - i - 1) + '"')
            i = j + 1
        elif c == "'":
            break
        else:
            out.append(c)
            i += 1
    code = "".join(out).rstrip()
    if re.match(r"^\s*Rem\b", code, re.I):
        return ""
    return code


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, code) with comments/strings blanked and ``_`` continuations joined."""
    result: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        code = _blank(raw)
        if not pending:
            start = number
        if code.endswith(" _") or code == "_":
            pending += code[:-1] + " "
            continue
        result.append((start, pending + code))
        pending = ""
    return result


def _names_in_decl(rest: str) -> list[str]:
    # "a, b(3), c" -> a b c (array bounds dropped)
    depth, cur, names = 0, "", []
    for ch in rest:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            names.append(cur)
            cur = ""
            continue
        if depth == 0 and ch != ")":
            cur += ch
    names.append(cur)
    return [n.strip().split()[0] for n in names if n.strip()]


def _params(spec: str | None) -> list[str]:
    if not spec or not spec.strip():
        return []
    return [re.sub(r"^(ByRef|ByVal)\s+", "", p.strip(), flags=re.I).split("(")[0].strip() for p in spec.split(",")]


def parse(text: str) -> tuple[dict[str, Proc], dict[str, int], list[Problem]]:
    """Procedures by lower-case name, module-level names -> line, and redefinition problems."""
    procs: dict[str, Proc] = {}
    globals_: dict[str, int] = {}
    problems: list[Problem] = []
    current: Proc | None = None
    for number, code in logical_lines(text):
        m = _PROC.match(code)
        if m and current is None:
            current = Proc(m.group(2), m.group(1).lower(), _params(m.group(3)), number)
            if current.name.lower() in procs:
                problems.append(Problem(number, f"procédure {current.name} définie deux fois"))
            procs[current.name.lower()] = current
            continue
        if current is not None and _END_PROC.match(code):
            current = None
            continue
        declared: list[str] = []
        d = _DIM.match(code)
        if d and not re.match(r"^\s*(Private|Public)\s+(Function|Sub|Const)\b", code, re.I):
            declared = _names_in_decl(d.group(1))
            if re.match(r"^\s*ReDim", code, re.I):
                declared = [] if current is None else declared
        c = _CONST.match(code)
        if c:
            declared = [c.group(1)]
        if current is None:
            for name in declared:
                key = name.lower()
                if key in globals_ and not re.match(r"^\s*ReDim", code, re.I):
                    problems.append(Problem(number, f"{name} déclaré deux fois au niveau du module "
                                                    f"(déjà ligne {globals_[key]})"))
                globals_.setdefault(key, number)
        else:
            for name in declared:
                key = name.lower()
                if not re.match(r"^\s*ReDim", code, re.I) and (
                        key in current.locals or key in {p.lower() for p in current.params}):
                    problems.append(Problem(number, f"{current.name} : « {name} » déclaré deux fois "
                                                    f"(VBScript ignore la casse)"))
                current.locals.add(key)
            if not (d and re.match(r"^\s*Dim\b", code, re.I)) and not c:
                current.body.append((number, code))
    return procs, globals_, problems


def _statements(code: str) -> list[str]:
    """Split a logical line into statements (``:``, single-line If/Then/Else)."""
    parts = [p for p in code.split(":")]
    out: list[str] = []
    for part in parts:
        m = re.match(r"^\s*(?:Else)?If\b(.*?)\bThen\b(.*)$", part, re.I)
        if m and m.group(2).strip():
            out.append("If " + m.group(1))
            rest = m.group(2)
            pieces = re.split(r"\bElse\b", rest, flags=re.I)
            out.extend(pieces)
        else:
            out.append(part)
    return [s.strip() for s in out if s.strip()]


def _split_args(s: str) -> list[str]:
    depth, cur, args = 0, "", []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip() or args:
        args.append(cur)
    return args


def _paren_args(s: str, start: int) -> tuple[list[str], int]:
    """Arguments of the parenthesis opening at s[start]; returns (args, index after ')')."""
    depth = 0
    for j in range(start, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return _split_args(s[start + 1:j]), j + 1
    return _split_args(s[start + 1:]), len(s)


def check(text: str) -> list[Problem]:
    procs, globals_, problems = parse(text)
    known_global = set(globals_) | set(procs) | KEYWORDS | BUILTINS
    for proc in procs.values():
        scope = known_global | proc.locals | {p.lower() for p in proc.params}
        for number, code in proc.body:
            for m in _IDENT.finditer(code):
                name = m.group(1)
                if name.lower() not in scope:
                    problems.append(Problem(number, f"{proc.name} : « {name} » n'est ni déclaré ni connu"))
            for stmt in _statements(code):
                problems.extend(_arity_problems(number, stmt, procs, proc))
    return problems


def _arity_problems(number: int, stmt: str, procs: dict[str, Proc], within: Proc) -> list[Problem]:
    found: list[Problem] = []
    shadowed = within.locals | {p.lower() for p in within.params}  # a local hides a procedure
    procs = {k: v for k, v in procs.items() if k not in shadowed}
    s = re.sub(r"^Call\s+", "", stmt, flags=re.I)
    # statement form: "Name a, b" or "Name(a)" or "Name"
    head = re.match(r"^([A-Za-z_]\w*)\b(.*)$", s)
    first_checked = None
    if head and head.group(1).lower() in procs and not re.match(r"^\s*=", head.group(2)):
        target = procs[head.group(1).lower()]
        rest = head.group(2).strip()
        if target is within and target.kind == "function" and not rest:
            rest = None  # recursion-free function name alone: not a call
        if rest is not None:
            if rest.startswith("(") and _paren_args(rest, 0)[1] == len(rest) and not stmt.lower().startswith("call"):
                args = _paren_args(rest, 0)[0]
                # "Name(a, b)" as a statement is not valid VBScript for several arguments
                if len(args) > 1:
                    found.append(Problem(number, f"appel de {target.name} entre parenthèses avec plusieurs "
                                                 f"arguments (retirer les parenthèses ou écrire Call)"))
            elif rest.startswith("("):
                args = _paren_args(rest, 0)[0]
            else:
                args = _split_args(rest) if rest else []
            if len(args) != len(target.params):
                found.append(Problem(number, f"{target.name} attend {len(target.params)} argument(s), "
                                             f"appelé avec {len(args)} : {stmt}"))
            first_checked = head.end(1)
    # expression form: Name(...) anywhere, or a bare function name
    for m in _IDENT.finditer(s):
        name = m.group(1).lower()
        if name not in procs or (first_checked is not None and m.start(1) == 0):
            continue
        target = procs[name]
        if target is within and target.kind == "function":
            continue  # assignment to the function's own result
        after = s[m.end(1):]
        if after.lstrip().startswith("("):
            args, _ = _paren_args(after, after.index("("))
            n = len(args)
        else:
            n = 0
        if n != len(target.params):
            found.append(Problem(number, f"{target.name} attend {len(target.params)} argument(s), "
                                         f"appelé avec {n} : {stmt}"))
    return found
