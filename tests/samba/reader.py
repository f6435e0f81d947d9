"""Reading the directory exactly as the collector does, into the AD artifacts of format 1.1.

:data:`OPERATIONS` is the declared list of every LDAP operation, in the form
of ``docs/collection-format.md`` §5.1 and of the lines ``collect.cmd /dryrun``
prints (``LDAP | artifact | base | scope | filter | attrs`` and
``SD | artifact | template``). :class:`DirectoryReader` issues nothing else:
each step looks its operation up in that list by artifact and index, fills
the placeholders, and runs it, so the list cannot drift from what is read.
Tests compare the list with the §5.1 table and with the dry run.

The reader binds as the service account (the collector runs under it), with
the options of the collector's ADO searches (page size 500) and of ADSI
(``nTSecurityDescriptor`` with owner + group + DACL: SD-flags control 7).
Binary values are written as lowercase hex of their raw bytes (§5: objectSid,
tokenGroups SIDs, nTSecurityDescriptor); the one value read out of a binary
is the control word of mail users' descriptors (bytes 2–3, little-endian).

What cannot be reproduced here (ADSI-side behaviour, unverifiable without
Windows):

- ``SdSource=hexstring``: ``IADsSecurityUtility.ConvertSecurityDescriptor``
  re-serialises the descriptor ADSI read; its byte layout may differ from the
  bytes the DC sent (same owner, group, control and ACEs in the same order).
  The reader writes the DC's bytes;
- the IADs fallback (``SdSource`` ``iads``: ``ace`` records with ``Trustee`` as
  ADSI prints it, e.g. "AUTORITE NT\\Utilisateurs authentifiés", localised by
  the client's Windows) cannot be produced: the trustee names are built by
  ADSI's LookupAccountSid on the client. :meth:`DirectoryReader.resolve_trustee`
  runs the two trustee searches of that fallback (domain, then global catalog)
  for a name given by the caller;
- ``GetObject("LDAP://<SID=…>")`` is a base search on ``<SID=hex>`` here; ADSI
  may chase a referral to another domain where this reader does not;
- ADSI's own errors texts (French on a French client) differ from LDAP's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import ldap3
from ldap3.utils.conv import escape_filter_chars

from .descriptors import SE_DACL_PROTECTED, sid_from_bytes
from .harness import SD_FLAGS_CONTROL

__all__ = ["Operation", "OPERATIONS", "DirectoryReader", "Artifact", "operation_lines", "MAX_CONTAINERS",
           "MAX_PROTECTED", "MAX_ADMINCOUNT"]

MAX_CONTAINERS, MAX_PROTECTED, MAX_ADMINCOUNT, PAGE_SIZE = 200, 500, 500, 500


@dataclass(frozen=True)
class Operation:
    kind: str                       # LDAP or SD
    artifact: str
    base: str                       # for SD: the object DN template
    scope: str = ""
    filter: str = ""
    attrs: tuple[str, ...] = ()

    def line(self) -> str:
        if self.kind == "SD":
            return f"SD | {self.artifact} | {self.base}"
        return " | ".join(["LDAP", self.artifact, self.base, self.scope, self.filter, ", ".join(self.attrs)])


def _ldap(artifact: str, base: str, scope: str, filter_: str, attrs: str) -> Operation:
    return Operation("LDAP", artifact, base, scope, filter_, tuple(a.strip() for a in attrs.split(",")))


_SERVER_ATTRS = "distinguishedName, name, serialNumber, legacyExchangeDN, networkAddress, msExchCurrentServerRoles, " \
                "adminDisplayName"
_ADMINS_554 = r"(objectSid=\01\02\00\00\00\00\00\05\20\00\00\00\2a\02\00\00)"

# docs/collection-format.md §5.1, in the table's order.
OPERATIONS: tuple[Operation, ...] = (
    _ldap("token_groups", "{runAsDN}", "base", "(objectClass=*)", "tokenGroups"),
    _ldap("token_groups", "<SID={sidHex}>", "base", "(objectClass=*)", "name"),
    _ldap("ad_rootdse", "RootDSE", "base", "(objectClass=*)",
          "defaultNamingContext, configurationNamingContext, schemaNamingContext, rootDomainNamingContext, "
          "dnsHostName, domainFunctionality, forestFunctionality"),
    _ldap("ad_domain", "{defaultNC}", "base", "(objectClass=*)", "distinguishedName, name, objectSid"),
    _ldap("ad_domain", "CN=Partitions,{configNC}", "onelevel", "(&(objectClass=crossRef)(nCName={defaultNC}))",
          "nETBIOSName"),
    _ldap("ad_domain", "CN=Directory Service,CN=Windows NT,CN=Services,{configNC}", "base", "(objectClass=*)",
          "dSHeuristics"),
    _ldap("ad_domain", "{defaultNC}", "subtree", _ADMINS_554, "distinguishedName, member"),
    _ldap("ad_partitions", "CN=Partitions,{configNC}", "onelevel",
          "(&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=2))",
          "distinguishedName, nCName, dnsRoot, nETBIOSName"),
    _ldap("ad_domain_controllers", "{defaultNC}", "subtree",
          "(&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=8192))",
          "name, dNSHostName, operatingSystem, operatingSystemVersion, operatingSystemServicePack"),
    _ldap("ad_service_account", "{defaultNC}", "subtree",
          "(&(objectCategory=person)(objectClass=user)(sAMAccountName={account}))",
          "distinguishedName, sAMAccountName, objectSid, userAccountControl, primaryGroupID, adminCount, memberOf, "
          "homeMDB, msExchHomeServerName, legacyExchangeDN, mail, showInAddressBook, msExchHideFromAddressLists"),
    Operation("SD", "ad_service_account", "{serviceAccountDN}"),
    _ldap("ad_service_account_groups", "{serviceAccountDN}", "base", "(objectClass=*)", "tokenGroups"),
    _ldap("ad_service_account_groups", "<SID={sidHex}>", "base", "(objectClass=*)", "name, distinguishedName"),
    _ldap("ad_exchange_org", "{exchangeBase}", "onelevel", "(objectClass=msExchOrganizationContainer)",
          "distinguishedName, name"),
    _ldap("ad_exchange_org", "{exchangeBase}", "subtree", "(objectClass=msExchAdminGroup)",
          "distinguishedName, name, legacyExchangeDN"),
    _ldap("ad_exchange_servers", "{exchangeBase}", "subtree", "(objectClass=msExchExchangeServer)", _SERVER_ATTRS),
    _ldap("ad_exchange_stores", "{exchangeBase}", "subtree",
          "(|(objectClass=msExchInformationStore)(objectClass=msExchStorageGroup)(objectClass=msExchPrivateMDB))",
          "distinguishedName, name, objectClass"),
    _ldap("ad_mail_containers", "{defaultNC}", "subtree", "(&(objectCategory=person)(objectClass=user)(homeMDB=*))",
          "distinguishedName, adminCount, nTSecurityDescriptor"),
    Operation("SD", "ad_mail_containers", "{containerDN}"),
    *(Operation("SD", "ad_acl", template) for template in (
        "{defaultNC}", "CN=AdminSDHolder,CN=System,{defaultNC}", "{exchangeBase}", "{orgDN}", "{adminGroupDN}",
        "CN=Servers,{adminGroupDN}", "{serverDN}", "{storeDN}", "{containerDN}")),
    _ldap("ad_acl", "{defaultNC}", "subtree", "(sAMAccountName={trustee})", "objectSid"),
    _ldap("ad_acl", "GC://{rootDomainNC}", "subtree", "(sAMAccountName={trustee})", "objectSid"),
    _ldap("ad_admincount_users", "{defaultNC}", "subtree",
          "(&(objectCategory=person)(objectClass=user)(adminCount=1)(homeMDB=*))", "distinguishedName, sAMAccountName"),
    Operation("SD", "ad_admincount_users", "{userDN}"),
    _ldap("exchange_version", "{exchangeBase}", "subtree", "(&(objectClass=msExchExchangeServer)(cn={host}))",
          _SERVER_ATTRS),
)


def operation_lines() -> list[str]:
    return [op.line() for op in OPERATIONS]


_SCOPES = {"base": ldap3.BASE, "onelevel": ldap3.LEVEL, "subtree": ldap3.SUBTREE}


@dataclass
class Artifact:
    """One AD artifact as the collector writes it: record lines, and its manifest fields."""
    name: str
    records: list[tuple[str, list[tuple[str, object]]]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    status: str = "ok"
    error: str = ""
    duration_ms: int = 0

    def add(self, kind: str, *props: tuple[str, object]) -> None:
        self.records.append((kind, list(props)))


def _parent(dn: str) -> str:
    escaped = False
    for i, ch in enumerate(dn):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            return dn[i + 1:]
    return ""


class ReaderError(RuntimeError):
    pass


class DirectoryReader:
    """Runs :data:`OPERATIONS` against a directory, as the service account."""

    def __init__(self, conn: ldap3.Connection, account: str, *, gc_connect=None) -> None:
        self.conn = conn
        self.account = account
        self.gc_connect = gc_connect          # opens a connection to the global catalog (port 3268)
        self.values: dict[str, str] = {}
        self.issued: list[tuple[Operation, str]] = []   # (operation, base as filled in)
        self._mail_users: list[dict] | None = None
        self._mail_users_truncated = False

    # ------------------------------------------------------------ operations
    def op(self, artifact: str, index: int = 0, kind: str = "LDAP") -> Operation:
        found = [o for o in OPERATIONS if o.artifact == artifact and o.kind == kind]
        return found[index]

    def _fill(self, text: str, extra: dict[str, str]) -> str:
        values = {**self.values, **extra}
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        if "{" in text:
            raise ReaderError(f"unfilled placeholder in {text!r}")
        return text

    def search(self, operation: Operation, *, paged: bool = False, **extra: str) -> list[dict]:
        base = self._fill(operation.base, extra)
        filter_ = self._fill(operation.filter, extra)
        self.issued.append((operation, base))
        conn = self.conn
        if base.startswith("GC://"):
            conn, base = self.gc_connect(), base[len("GC://"):]
        if base == "RootDSE":
            base = ""
        controls = [SD_FLAGS_CONTROL] if "nTSecurityDescriptor" in operation.attrs else None
        if paged:
            entries = conn.extend.standard.paged_search(base, filter_, _SCOPES[operation.scope],
                                                        attributes=list(operation.attrs), paged_size=PAGE_SIZE,
                                                        controls=controls, generator=False)
            if conn.result.get("result") not in (0, None):
                raise ReaderError(f"{conn.result.get('description')}: {conn.result.get('message')}")
        else:
            if not conn.search(base, filter_, _SCOPES[operation.scope], attributes=list(operation.attrs),
                               controls=controls):
                if conn.result.get("result") in (0, 32):  # nothing found / noSuchObject: an empty answer
                    return []
                raise ReaderError(f"{conn.result.get('description')}: {conn.result.get('message')}")
            entries = conn.response
        return [e for e in entries if e.get("type") == "searchResEntry"]

    def read_sd(self, operation: Operation, **extra: str) -> tuple[bytes | None, list[str], str]:
        """The ``SD`` operation: the object's descriptor (owner, group, DACL) and objectClass."""
        dn = self._fill(operation.base, extra)
        self.issued.append((operation, dn))
        if not self.conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["nTSecurityDescriptor", "objectClass"],
                                controls=[SD_FLAGS_CONTROL]) or not self.conn.response:
            return None, [], f"{self.conn.result.get('description')}: {self.conn.result.get('message')}"
        raw = self.conn.response[0]["raw_attributes"]
        sd = (raw.get("nTSecurityDescriptor") or [None])[0]
        classes = [v.decode() for v in raw.get("objectClass", [])]
        return sd, classes, "" if sd else "nTSecurityDescriptor non renvoyé"

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _text(entry: dict, attr: str) -> str | None:
        values = entry["raw_attributes"].get(attr) or entry["raw_attributes"].get(attr.lower())
        if not values:
            for key, vals in entry["raw_attributes"].items():
                if key.lower() == attr.lower():
                    values = vals
        return values[0].decode("utf-8") if values else None

    @staticmethod
    def _texts(entry: dict, attr: str) -> list[str]:
        for key, vals in entry["raw_attributes"].items():
            if key.lower() == attr.lower():
                return [v.decode("utf-8") for v in vals]
        return []

    @staticmethod
    def _raw(entry: dict, attr: str) -> list[bytes]:
        for key, vals in entry["raw_attributes"].items():
            if key.lower() == attr.lower():
                return list(vals)
        return []

    def _props(self, entry: dict, attrs: tuple[str, ...], multi: set[str] = frozenset(),
               binary: set[str] = frozenset()) -> list[tuple[str, object]]:
        props: list[tuple[str, object]] = []
        for attr in attrs:
            if attr in binary:
                raw = self._raw(entry, attr)
                props.append((attr, raw[0].hex() if raw else None))
            elif attr in multi:
                props.append((attr, self._texts(entry, attr)))
            else:
                value = self._text(entry, attr)
                if attr == "distinguishedName" and value is None:
                    value = entry["dn"]
                props.append((attr, value))
        return props

    def _step(self, name: str, fn) -> Artifact:
        art = Artifact(name)
        started = time.monotonic()
        try:
            fn(art)
            # §5: an AD step whose every value came back empty is an error, never "ok"
            values = [v for _, props in art.records for _, v in props]
            if art.records and all(v in (None, "", []) for v in values):
                raise ReaderError("aucune valeur renvoyée par l'annuaire")
        except Exception as exc:  # the collector records the error text and goes on
            art.status, art.error, art.records = "error", str(exc), []
        art.duration_ms = int((time.monotonic() - started) * 1000)
        return art

    def _source(self, art: Artifact, operation: Operation, base: str | None = None) -> None:
        if operation.kind == "SD":
            art.sources.append(f"nTSecurityDescriptor {operation.base}")
        else:
            try:
                filter_ = self._fill(operation.filter, {})
            except ReaderError:        # a per-call placeholder ({sidHex}, {trustee}): shown as declared
                filter_ = operation.filter
            art.sources.append(f"LDAP://{base or operation.base} ; {operation.scope} ; {filter_}")

    # ------------------------------------------------------------ steps
    def read_all(self) -> dict[str, Artifact]:
        """Every AD artifact of a ``vmes`` collection, in the collector's order."""
        steps = [("ad_rootdse", self._rootdse), ("ad_domain", self._domain), ("ad_partitions", self._partitions),
                 ("ad_domain_controllers", self._dcs), ("ad_service_account", self._service_account),
                 ("ad_service_account_groups", self._groups), ("ad_exchange_org", self._org),
                 ("ad_exchange_servers", self._servers), ("ad_exchange_stores", self._stores),
                 ("ad_mail_containers", self._mail_containers),
                 ("ad_mail_users_protected", self._mail_users_protected),
                 ("ad_acl", self._acl), ("ad_admincount_users", self._admincount)]
        return {name: self._step(name, fn) for name, fn in steps}

    def _rootdse(self, art: Artifact) -> None:
        op = self.op("ad_rootdse")
        entry = self.search(op)[0]
        art.add("rootdse", *self._props(entry, op.attrs))
        self._source(art, op)
        get = dict(art.records[0][1])
        self.values.update({"defaultNC": get["defaultNamingContext"], "configNC": get["configurationNamingContext"],
                            "rootDomainNC": get["rootDomainNamingContext"],
                            "exchangeBase": f"CN=Microsoft Exchange,CN=Services,{get['configurationNamingContext']}",
                            "account": escape_filter_chars(self.account)})

    def _domain(self, art: Artifact) -> None:
        head = self.search(self.op("ad_domain", 0))[0]
        props = self._props(head, ("distinguishedName", "name", "objectSid"), binary={"objectSid"})
        refs = self.search(self.op("ad_domain", 1))
        props.append(("nETBIOSName", self._text(refs[0], "nETBIOSName") if refs else None))
        art.add("domain", *props)
        ds = self.search(self.op("ad_domain", 2))
        art.add("directoryservice", ("dSHeuristics", self._text(ds[0], "dSHeuristics") if ds else None))
        pre2000 = self.search(self.op("ad_domain", 3))
        if pre2000:
            art.add("builtingroup", ("distinguishedName", pre2000[0]["dn"]), ("Sid", "S-1-5-32-554"),
                    ("member", self._texts(pre2000[0], "member")))
        for i in range(4):
            self._source(art, self.op("ad_domain", i), self._fill(self.op("ad_domain", i).base, {}))

    def _partitions(self, art: Artifact) -> None:
        op = self.op("ad_partitions")
        for entry in self.search(op):
            art.add("crossref", *self._props(entry, op.attrs, multi={"dnsRoot"}))
        self._source(art, op, self._fill(op.base, {}))

    def _dcs(self, art: Artifact) -> None:
        op = self.op("ad_domain_controllers")
        for entry in self.search(op):
            art.add("dc", *self._props(entry, op.attrs))
        self._source(art, op, self._fill(op.base, {}))

    def _service_account(self, art: Artifact) -> None:
        op = self.op("ad_service_account")
        found = self.search(op)
        self._source(art, op, self._fill(op.base, {}))
        if not found:
            return  # no user record: the account does not exist (F1)
        entry = found[0]
        props = self._props(entry, op.attrs, multi={"memberOf", "showInAddressBook"}, binary={"objectSid"})
        self.values["serviceAccountDN"] = entry["dn"]
        sd, _, error = self.read_sd(self.op("ad_service_account", 0, "SD"))
        props.append(("nTSecurityDescriptor", sd.hex() if sd else None))
        art.add("user", *props)
        if error:
            art.comments.append(f"illisible: {entry['dn']} : {error}")

    def _groups(self, art: Artifact) -> None:
        if "serviceAccountDN" not in self.values:
            raise ReaderError("compte de service introuvable")
        op = self.op("ad_service_account_groups", 0)
        entry = self.search(op)[0]
        self._source(art, op, self._fill(op.base, {}))
        for sid in self._raw(entry, "tokenGroups"):
            found = []
            try:
                found = self.search(self.op("ad_service_account_groups", 1), sidHex=sid.hex())
            except ReaderError:
                pass                       # recorded with an empty name, as the collector does
            art.add("group", ("Sid", sid.hex()),
                    ("distinguishedName", found[0]["dn"] if found else ""),
                    ("Name", (self._text(found[0], "name") or "") if found else ""))

    def _org(self, art: Artifact) -> None:
        orgs = self.search(self.op("ad_exchange_org", 0))
        for entry in orgs:
            art.add("organization", ("distinguishedName", entry["dn"]), ("name", self._text(entry, "name")))
        self.values["orgDN"] = orgs[0]["dn"] if orgs else ""
        self.admin_groups = self.search(self.op("ad_exchange_org", 1))
        for entry in self.admin_groups:
            art.add("admingroup", ("distinguishedName", entry["dn"]), ("name", self._text(entry, "name")),
                    ("legacyExchangeDN", self._text(entry, "legacyExchangeDN")))
        for i in range(2):
            self._source(art, self.op("ad_exchange_org", i), self._fill(self.op("ad_exchange_org", i).base, {}))

    def _servers(self, art: Artifact) -> None:
        op = self.op("ad_exchange_servers")
        self.server_dns = []
        for entry in self.search(op):
            art.add("server", *self._props(entry, op.attrs, multi={"serialNumber", "networkAddress"}))
            self.server_dns.append(entry["dn"])
        self._source(art, op, self._fill(op.base, {}))

    def _stores(self, art: Artifact) -> None:
        op = self.op("ad_exchange_stores")
        self.store_dns = []
        for entry in self.search(op):
            art.add("store", ("distinguishedName", entry["dn"]), ("name", self._text(entry, "name")),
                    ("objectClass", self._texts(entry, "objectClass")))
            self.store_dns.append(entry["dn"])
        self._source(art, op, self._fill(op.base, {}))

    def _mail_user_search(self) -> list[dict]:
        """The paged search shared by ad_mail_containers and ad_mail_users_protected (run once)."""
        if self._mail_users is None:
            self._mail_users = self.search(self.op("ad_mail_containers"), paged=True)
        return self._mail_users

    def _mail_containers(self, art: Artifact) -> None:
        op = self.op("ad_mail_containers")
        users = self._mail_user_search()
        self._source(art, op, self._fill(op.base, {}))
        counts: dict[str, int] = {}
        for entry in users:               # the parent DN of each user, and a count: no user name
            parent = _parent(entry["dn"])
            counts[parent] = counts.get(parent, 0) + 1
        self.container_dns = list(counts)[:MAX_CONTAINERS]
        for dn in self.container_dns:
            sd, _, error = self.read_sd(self.op("ad_mail_containers", 0, "SD"), containerDN=dn)
            art.add("container", ("distinguishedName", dn), ("MailUsers", counts[dn]),
                    ("nTSecurityDescriptor", sd.hex() if sd else None))
            if error:
                art.comments.append(f"illisible: {dn} : {error}")
        art.add("summary", ("Containers", len(counts)), ("MailUsers", len(users)),
                ("Truncated", len(counts) > MAX_CONTAINERS))

    def _mail_users_protected(self, art: Artifact) -> None:
        users = self._mail_user_search()
        art.sources.append("résultat de la recherche des utilisateurs de messagerie (ad_mail_containers)")
        protected = unknown = 0
        for entry in users:
            raw = self._raw(entry, "nTSecurityDescriptor")
            if not raw or len(raw[0]) < 4:
                unknown += 1
                continue
            control = int.from_bytes(raw[0][2:4], "little")
            if control & SE_DACL_PROTECTED:
                protected += 1
                if protected <= MAX_PROTECTED:
                    art.add("user", ("distinguishedName", entry["dn"]), ("adminCount", self._text(entry, "adminCount")),
                            ("Control", control))
        art.add("summary", ("MailUsers", len(users)), ("Protected", protected), ("Unknown", unknown),
                ("Truncated", protected > MAX_PROTECTED))

    def _acl(self, art: Artifact) -> None:
        targets: list[tuple[Operation, dict[str, str]]] = []
        ops = {o.base: o for o in OPERATIONS if o.kind == "SD" and o.artifact == "ad_acl"}
        targets.append((ops["{defaultNC}"], {}))
        targets.append((ops["CN=AdminSDHolder,CN=System,{defaultNC}"], {}))
        if self.values.get("orgDN"):
            targets.append((ops["{exchangeBase}"], {}))
            targets.append((ops["{orgDN}"], {}))
        for group in getattr(self, "admin_groups", []):
            targets.append((ops["{adminGroupDN}"], {"adminGroupDN": group["dn"]}))
            targets.append((ops["CN=Servers,{adminGroupDN}"], {"adminGroupDN": group["dn"]}))
        for dn in getattr(self, "server_dns", []):
            targets.append((ops["{serverDN}"], {"serverDN": dn}))
        for dn in getattr(self, "store_dns", []):
            targets.append((ops["{storeDN}"], {"storeDN": dn}))
        if hasattr(self, "container_dns"):
            for dn in self.container_dns:
                targets.append((ops["{containerDN}"], {"containerDN": dn}))
        else:
            art.comments.append("conteneurs des utilisateurs de messagerie non lus : recherche non exécutée")
        for op, extra in targets:
            sd, classes, error = self.read_sd(op, **extra)
            dn = self._fill(op.base, extra)
            if sd is None:
                # format 1.1: an sd record with the error; ADSI reports an attribute the directory did not
                # return (no Read Permissions) as E_ADS_PROPERTY_NOT_FOUND, 0x8000500D
                code = "8000500D" if error == "nTSecurityDescriptor non renvoyé" else "80072030"
                art.add("sd", ("ObjectDN", dn), ("Error", error), ("ErrorCode", code))
                continue
            art.add("sd", ("ObjectDN", dn), ("objectClass", classes), ("Sd", sd.hex()), ("SdSource", "hexstring"))
        art.sources.append("nTSecurityDescriptor (hexstring) : tête du domaine, AdminSDHolder, organisation, "
                           "groupes d'administration, conteneurs Servers, serveurs, banques, conteneurs des "
                           "utilisateurs de messagerie")

    def _admincount(self, art: Artifact) -> None:
        op = self.op("ad_admincount_users")
        users = self.search(op, paged=True)
        self._source(art, op, self._fill(op.base, {}))
        for entry in users[:MAX_ADMINCOUNT]:
            sd, _, _ = self.read_sd(self.op("ad_admincount_users", 0, "SD"), userDN=entry["dn"])
            art.add("user", ("distinguishedName", entry["dn"]), ("sAMAccountName", self._text(entry, "sAMAccountName")),
                    ("nTSecurityDescriptor", sd.hex() if sd else None))
        art.add("summary", ("Count", len(users)), ("Truncated", len(users) > MAX_ADMINCOUNT))

    # ------------------------------------------------------------ IADs fallback and exchange mode
    def resolve_trustee(self, name: str) -> str | None:
        """The IADs fallback's trustee searches: the domain first, then the global catalog."""
        for index in (0, 1):
            found = self.search(self.op("ad_acl", index), trustee=escape_filter_chars(name))
            if found:
                return sid_from_bytes(self._raw(found[0], "objectSid")[0])
        return None

    def exchange_version(self, host: str) -> Artifact:
        """``collect.vbs /exchange``: this server's own object (artifact ``exchange_version``)."""
        def run(art: Artifact) -> None:
            op = self.op("exchange_version")
            for entry in self.search(op, host=escape_filter_chars(host)):
                art.add("server", *self._props(entry, op.attrs, multi={"serialNumber", "networkAddress"}))
            self._source(art, op, self._fill(op.base, {}))
        return self._step("exchange_version", run)

    def token_groups(self) -> list[tuple[str, str]]:
        """(hex SID, name) of the running account's tokenGroups: the ``token_groups`` machine artifact."""
        op = self.op("token_groups", 0)
        entry = self.search(op, runAsDN=self.values["serviceAccountDN"])[0]  # the collection runs as the account
        out = []
        for sid in self._raw(entry, "tokenGroups"):
            found = self.search(self.op("token_groups", 1), sidHex=sid.hex())
            out.append((sid.hex(), self._text(found[0], "name") if found else ""))
        return out
