"""A VMES machine collection around the AD artifacts the reader produced.

The machine artifacts come from a sample's readable sources
(``samples/src/<name>/``, e.g. ``vmes01-2003-conforme``): its
``collection.yaml`` and files are copied into a new source folder, the AD
artifacts are replaced by the reader's, and the few machine artifacts that
name directory objects are rewritten for the scenario's directory (the SIDs
change with every provision): ``token_groups``, ``whoami_user``,
``whoami_groups``, ``local_admins``, the MAPI profile (home server and
mailbox DN) and the manifest's ``run_as``. The zip is then built by
``samples/build_samples.py`` itself, so it is encoded exactly as the samples
are (UTF-16LE with BOM and CRLF for record files, cp850 for cmd output,
stored entries, SHA-256 in the manifest), with ``format_version`` "1.1".
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .descriptors import sid_from_bytes
from .reader import Artifact

ROOT = Path(__file__).resolve().parents[2]
SAMPLES_SRC = ROOT / "samples" / "src"

__all__ = ["MachineIdentity", "render_records", "write_source", "build_zip", "mapi_profiles_reg", "as_format_1_0",
           "downgrade_source"]


def _load_build_samples():
    spec = importlib.util.spec_from_file_location("build_samples", ROOT / "samples" / "build_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _escape(value: str) -> str:
    from vmes_audit.parsers.records import escape

    return escape(value)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return _escape(str(value))


def render_records(art: Artifact, source_comment: str | None = None) -> str:
    """The record file text (UTF-8, LF: the readable source form) of one artifact."""
    lines = ["#VMES-RECORDS 1", f"#source: {_escape(source_comment or ' ; '.join(art.sources))}"]
    lines += [f"#{c}" for c in art.comments]
    for kind, props in art.records:
        lines.append(f"[{kind}]")
        for name, value in props:
            if isinstance(value, list):
                if not value:
                    lines.append(f"{name}[]!")
                lines += [f"{name}[]={_value(v)}" for v in value]
            elif value is None or value == "" and name not in ("distinguishedName", "Name", "ErrorText"):
                lines.append(f"{name}!")
            else:
                lines.append(f"{name}={_value(value)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


@dataclass
class MachineIdentity:
    """What the VMES machine's own artifacts must say about the scenario's directory."""
    netbios_domain: str
    dns_domain: str
    account: str
    account_sid: str
    token_groups: list[tuple[str, str]]                 # (hex SID, name)
    local_admin_members: list[tuple[str, str, str]]     # (name, sid, class) besides the local Administrator
    home_server: str | None = None
    mailbox_dn: str | None = None                       # the user's legacyExchangeDN
    home_server_dn: str | None = None                   # the server's legacyExchangeDN
    extra: dict[str, str] = field(default_factory=dict)


def _hex_bytes(text: str) -> str:
    data = text.encode("cp1252") + b"\x00"
    return ",".join(f"{b:02x}" for b in data)


def mapi_profiles_reg(identity: MachineIdentity) -> str:
    """A profile "VMES" with the Exchange service (MSEMS) pointing at the home server and mailbox."""
    root = r"HKEY_CURRENT_USER\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles"
    uid = "dc9b1e0d653bd50fddc5fadadc5ad017"
    uid_hex = ",".join(uid[i:i + 2] for i in range(0, 32, 2))
    return "\n".join([
        "Windows Registry Editor Version 5.00", "", f"[{root}]", '"DefaultProfile"="VMES"', "",
        f"[{root}\\VMES]", "",
        f"[{root}\\VMES\\13dbb0c8aa05101a9bb000aa002fc45a]",
        '"00036600"=hex:01,05,00,00', '"00036601"=hex:04,00,00,00',
        f'"001e6602"=hex:{_hex_bytes(identity.home_server or "")}',
        f'"001e6603"=hex:{_hex_bytes(identity.mailbox_dn or "")}',
        f'"001e6608"=hex:{_hex_bytes(identity.home_server or "")}',
        f'"001e6612"=hex:{_hex_bytes(identity.home_server_dn or "")}', "",
        f"[{root}\\VMES\\{uid}]",
        f'"001e3d09"=hex:{_hex_bytes("MSEMS")}', f'"001e3d0a"=hex:{_hex_bytes("emsui.dll")}',
        f'"01023d0c"=hex:{uid_hex}', '"00033d11"=hex:04,00,00,00', ""])


def _machine_files(identity: MachineIdentity, host: str) -> dict[str, str]:
    user = f"{identity.netbios_domain.lower()}\\{identity.account.lower()}"
    groups = [(name, sid_from_bytes(bytes.fromhex(sid))) for sid, name in identity.token_groups]
    token_lines = ["#VMES-RECORDS 1", "#source: ADSI LDAP://<running account> tokenGroups"]
    for sid_hex, name in identity.token_groups:
        token_lines += ["[group]", f"Sid={sid_hex}", f"Name={_escape(identity.netbios_domain + chr(92) + name)}", ""]
    # whoami /groups on the VMES machine shows the *local* token: the machine's own BUILTIN aliases
    # (Administrateurs when the account or one of its groups is in the local Administrators group,
    # Utilisateurs through Domain Users), the logon's well-known groups, then the domain groups. The
    # domain's BUILTIN aliases of tokenGroups live on the DCs, not on this machine: left out.
    on = "Groupe obligatoire, Activé par défaut, Groupe activé"
    member_sids = {sid for _, sid, _ in identity.local_admin_members}
    local_admin = identity.account_sid in member_sids or any(sid in member_sids for _, sid in groups)
    whoami_groups = ['"Nom du groupe","Type","SID","Attributs"',
                     f'"Tout le monde","Groupe bien connu","S-1-1-0","{on}"']
    if local_admin:
        whoami_groups.append(f'"BUILTIN\\Administrateurs","Alias","S-1-5-32-544","{on}, Propriétaire du groupe"')
    whoami_groups += [f'"BUILTIN\\Utilisateurs","Alias","S-1-5-32-545","{on}"',
                      f'"AUTORITE NT\\INTERACTIF","Groupe bien connu","S-1-5-4","{on}"',
                      f'"AUTORITE NT\\Utilisateurs authentifiés","Groupe bien connu","S-1-5-11","{on}"',
                      f'"AUTORITE NT\\Cette organisation","Groupe bien connu","S-1-5-15","{on}"',
                      f'"LOCAL","Groupe bien connu","S-1-2-0","{on}"']
    for name, sid in groups:
        if sid.startswith("S-1-5-32-"):
            continue
        whoami_groups.append(f'"{identity.netbios_domain}\\{name}","Groupe","{sid}","{on}"')
    admins = ["#VMES-RECORDS 1",
              f"#source: Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True, then WinNT://{host}/Administrateurs,group",
              "[group]", "Name=Administrateurs", "Sid=S-1-5-32-544", "",
              "[member]", "Name=Administrateur", f"Domain={host}", "Sid=S-1-5-21-3623811015-3361044348-30300820-500",
              "Class=User", f"AdsPath=WinNT://{identity.netbios_domain}/{host}/Administrateur", ""]
    for name, sid, cls in identity.local_admin_members:
        admins += ["[member]", f"Name={name}", f"Domain={identity.netbios_domain}", f"Sid={sid}", f"Class={cls}",
                   f"AdsPath=WinNT://{identity.netbios_domain}/{name}", ""]
    return {"token_groups.txt": "\n".join(token_lines) + "\n",
            "whoami_user.txt": f'"Nom d\'utilisateur","SID"\n"{user}","{identity.account_sid}"\n',
            "whoami_groups.txt": "\n".join(whoami_groups) + "\n",
            "local_admins.txt": "\n".join(admins),
            "reg_mapi_profiles.reg": mapi_profiles_reg(identity)}


def write_source(folder: Path, base_sample: str, artifacts: dict[str, Artifact], identity: MachineIdentity,
                 *, output: str) -> Path:
    """A readable source folder (like samples/src/<name>/) for the scenario's VMES machine collection."""
    base = SAMPLES_SRC / base_sample
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base, folder)
    spec = yaml.safe_load((base / "collection.yaml").read_text(encoding="utf-8"))
    manifest = spec["manifest"]
    host = manifest["host"]["name"]
    manifest["format_version"] = "1.1"
    manifest["collector"] = {**manifest.get("collector", {}), "version": "1.1.0"}  # the collector that writes 1.1
    manifest["host"]["dns_domain"] = identity.dns_domain
    manifest["run_as"] = {"name": f"{identity.netbios_domain}\\{identity.account}", "sid": identity.account_sid}
    manifest["parameters"]["service_account"] = identity.account
    arts = spec["artifacts"]
    for name in [n for n in arts if n.startswith("ad_")]:
        (folder / f"{name}.txt").unlink(missing_ok=True)
        del arts[name]
    for name, text in _machine_files(identity, host).items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, art in artifacts.items():
        entry: dict = {"source": " ; ".join(art.sources), "duration_ms": art.duration_ms}
        if art.status == "ok":
            (folder / f"{name}.txt").write_text(render_records(art), encoding="utf-8")
            entry.update({"file": f"{name}.txt", "encoding": "utf-16le"})
        else:
            entry.update({"status": "error", "error": art.error})
        arts[name] = entry
    spec["output"] = output
    header = f"# Generated by tests/samba from a Samba AD DC scenario; machine artifacts of {base_sample}.\n"
    (folder / "collection.yaml").write_text(header + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
    return folder


def build_zip(folder: Path, target_dir: Path) -> Path:
    name, data = _load_build_samples().build_one(folder)
    target = target_dir / name
    target.write_bytes(data)
    return target


def _sid(value: object) -> object:
    text = str(value or "")
    if text and not text.startswith("S-") and all(c in "0123456789abcdef" for c in text):
        return sid_from_bytes(bytes.fromhex(text))
    return value


def as_format_1_0(art: Artifact) -> Artifact:
    """The same directory data in the 1.0 forms §5 still accepts: ``S-1-…`` SIDs, ``sdControl``, and the
    IADs fallback's ``sd``/``ace`` records (Trustee = the SID: ADSI's localised names cannot be made here).

    Used to check the scenarios against today's analyzer while it cannot read format 1.1.
    """
    from .descriptors import SecurityDescriptor

    out = Artifact(art.name, comments=list(art.comments), sources=list(art.sources), status=art.status,
                   error=art.error, duration_ms=art.duration_ms)
    for kind, props in art.records:
        values = dict(props)
        if kind == "sd" and "Sd" not in values:  # not readable: the same record in 1.0 and 1.1
            out.add(kind, *props)
            continue
        if kind == "sd":
            sd = SecurityDescriptor.from_bytes(bytes.fromhex(str(values["Sd"])))
            out.add("sd", ("ObjectDN", values["ObjectDN"]), ("Owner", sd.owner), ("Control", sd.control))
            for index, ace in enumerate(sd.dacl):
                flags = (1 if ace.object_type else 0) | (2 if ace.inherited_object_type else 0)
                out.add("ace", ("ObjectDN", values["ObjectDN"]), ("Index", index), ("AceType", ace.type),
                        ("AceFlags", ace.flags), ("AccessMask", ace.mask), ("Flags", flags),
                        ("ObjectType", ace.object_type or ""), ("InheritedObjectType", ace.inherited_object_type or ""),
                        ("Trustee", ace.sid), ("TrusteeSid", ace.sid))
            continue
        converted = []
        for name, value in props:
            if name in ("objectSid", "Sid"):
                value = _sid(value)
            elif name == "nTSecurityDescriptor":
                name, value = "sdControl", int.from_bytes(bytes.fromhex(str(value))[2:4], "little") if value else None
            converted.append((name, value))
        out.add(kind, *converted)
    return out


def downgrade_source(folder: Path, target: Path, artifacts: dict[str, Artifact]) -> Path:
    """A copy of a scenario's source folder with its AD artifacts and token_groups in the 1.0 forms."""
    import re

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target)
    for name, art in artifacts.items():
        if art.status == "ok":
            (target / f"{name}.txt").write_text(render_records(as_format_1_0(art)), encoding="utf-8")
    tokens = (target / "token_groups.txt").read_text(encoding="utf-8")
    (target / "token_groups.txt").write_text(re.sub(r"^Sid=([0-9a-f]+)$", lambda m: f"Sid={_sid(m.group(1))}",
                                                    tokens, flags=re.M), encoding="utf-8")
    spec = yaml.safe_load((target / "collection.yaml").read_text(encoding="utf-8"))
    spec["manifest"]["format_version"] = "1.0"
    spec["manifest"]["collector"]["version"] = "1.0.0"
    spec["output"] = spec["output"].replace(".zip", "-1.0.zip")
    (target / "collection.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
    return target
