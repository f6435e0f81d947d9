"""``facts/directory.py`` and its readers (``ad_account``, ``servers``, ``mapi``): the organisation row, the
service account and its groups, the host columns, domain controllers, Exchange servers, MAPI profiles.

The organisation is ``tests/facts/directory_records.py`` (format 1.1 hex SIDs, an administrative group
« Paris, Siège » whose DN escapes its comma); each case changes one artifact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import (DOMAIN_SID, RECORDS, SA_SID, Step, facts_of, oem, rows, utf16,
                                           write_collection)
from tests.facts.directory_records import (DOMAIN, GROUP_SID, SA_DN, SERVER, STORE, TEXTS, as_format_1_0, directory,
                                           escape, sid_hex)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "src" / "vmes01-2003-conforme"
ACCOUNT = {
    "domain_dn": DOMAIN, "domain_dns": "corp.exemple.fr", "domain_netbios": "CORP", "domain_sid": DOMAIN_SID,
    "domain_count": 1, "domains": ["corp.exemple.fr"], "ds_heuristics": "", "exchange_org": "Exemple Assurances",
    "admin_groups": ["Paris, Siège"], "exchange_server_count": 1, "has_legacy_exchange": True, "has_ex2007": False,
    "sa_name": "VistoAdmin", "sa_found": True, "sa_dn": SA_DN, "sa_sid": SA_SID, "sa_enabled": True, "sa_uac": 66048,
    "sa_primary_group_rid": 513, "sa_in_domain_users": True, "sa_admin_groups": [], "sa_admin_group_count": 0,
    "sa_operator_groups": [], "sa_operator_group_count": 0, "sa_admin_count": 0, "sa_protected": False,
    "sa_has_mailbox": True, "sa_home_mdb": STORE, "sa_home_server": "EXCH01",
    "sa_legacy_dn": "/o=Exemple Assurances/ou=Paris, Siège/cn=Recipients/cn=VistoAdmin",
    "sa_mail": "VistoAdmin@exemple.fr", "sa_hidden": False, "sa_show_in_ab_count": 1}
GROUPS = [{"sid": GROUP_SID, "name": "GG-VMES-Admins", "dn": f"CN=GG-VMES-Admins,OU=Groupes,OU=Exemple,{DOMAIN}",
           "protected": False},
          {"sid": f"{DOMAIN_SID}-513", "name": "Domain Users", "dn": f"CN=Domain Users,CN=Users,{DOMAIN}",
           "protected": False}]


def organisation(tmp_path: Path, **changes: str | None) -> tuple[dict, object]:
    facts = facts_of(write_collection(tmp_path, directory(**changes)))
    (org,) = rows(facts, "organisation")
    return org, facts


@pytest.mark.parametrize("format_1_0", [False, True], ids=["1.1 hex SIDs", "1.0 S-1 text"])
def test_organisation_and_service_account(tmp_path, format_1_0) -> None:
    changes = {name: as_format_1_0(text) for name, text in TEXTS.items()} if format_1_0 else {}
    org, facts = organisation(tmp_path, **changes)
    assert {column: org[column] for column in ACCOUNT} == ACCOUNT
    assert rows(facts, "sa_groups", "sid", "name", "dn", "protected") == GROUPS
    assert facts.warnings == []


def _groups(*extra: tuple[str, str]) -> str:
    return TEXTS["ad_service_account_groups"] + "".join(
        f"\n[group]\nSid={sid_hex(sid)}\ndistinguishedName=CN={name},CN=Builtin,{DOMAIN}\nName={name}\n"
        for sid, name in extra)


@pytest.mark.parametrize("changes,expected,warning", [
    # a group SID cut short: the token is unknown (a missing group could be Domain Admins), never "no admin group"
    ({"ad_service_account_groups": TEXTS["ad_service_account_groups"].replace(sid_hex(GROUP_SID), "0105000000"),
      }, {"sa_sid": SA_SID, "sa_in_domain_users": None, "sa_admin_groups": None, "sa_admin_group_count": None},
     "Groupes du compte de service illisibles"),
    # issue 19: a group whose SID was not read at all is no more « not a member »: the token is unknown
    ({"ad_service_account_groups": TEXTS["ad_service_account_groups"].replace(sid_hex(GROUP_SID), ""),
      }, {"sa_sid": SA_SID, "sa_in_domain_users": None, "sa_admin_groups": None, "sa_admin_group_count": None},
     "Groupes du compte de service illisibles (SID non lu pour le groupe « GG-VMES-Admins »"),
    ({"ad_service_account": TEXTS["ad_service_account"].replace(sid_hex(SA_SID), "CORP\\\\VistoAdmin")},
     {"sa_sid": None, "sa_in_domain_users": None, "sa_admin_groups": None}, "SID du compte de service illisible"),
    ({"ad_service_account_groups": None}, {"sa_sid": SA_SID, "sa_in_domain_users": None, "sa_admin_groups": None}, None),
    # userAccountControl not read: enabled or not is unknown
    ({"ad_service_account": TEXTS["ad_service_account"].replace("userAccountControl=66048", "userAccountControl!")},
     {"sa_uac": None, "sa_enabled": None}, None),
    # the domain's SID unreadable: deduced from the account's
    ({"ad_domain": TEXTS["ad_domain"].replace(sid_hex(DOMAIN_SID), "zz")}, {"domain_sid": DOMAIN_SID},
     "SID du domaine illisible"),
    # the account is not in the directory: found False, nothing else about it
    ({"ad_service_account": ""}, {"sa_found": False, "sa_sid": None, "sa_enabled": None}, None),
    # Domain Admins and two operator groups, which dSHeuristics' 16th character (f) exempts
    ({"ad_service_account_groups": _groups((f"{DOMAIN_SID}-512", "Domain Admins"), ("S-1-5-32-551", "Backup Operators"),
                                           ("S-1-5-32-550", "Print Operators")),
      "ad_domain": TEXTS["ad_domain"].replace("dSHeuristics!", "dSHeuristics=000000000100000f")},
     {"sa_admin_groups": ["Admins du domaine (Domain Admins)"], "sa_operator_groups": [], "sa_operator_exempt":
      ["Opérateurs d'impression (Print Operators)", "Opérateurs de sauvegarde (Backup Operators)"]}, None),
    ({"ad_service_account_groups": _groups(("S-1-5-32-551", "Backup Operators"))},
     {"sa_admin_groups": [], "sa_operator_groups": ["Opérateurs de sauvegarde (Backup Operators)"],
      "sa_operator_group_count": 1}, None),
])
def test_account_columns_from_broken_or_unusual_directory_data(tmp_path, changes, expected, warning) -> None:
    org, facts = organisation(tmp_path, **changes)
    assert {column: org.get(column) for column in expected} == expected
    assert [w for w in facts.warnings if warning and w.startswith(warning)] != [] if warning else facts.warnings == []


ADMINS = RECORDS + ("[group]\nName=Administrateurs\nSid=S-1-5-32-544\n\n"
                    f"[member]\nName=GG-VMES-Admins\nDomain=CORP\nSid={sid_hex(GROUP_SID)}\nClass=Group\n")
WHOAMI_GROUPS = ('"Nom du groupe","Type","SID","Attributs"\n"BUILTIN\\Administrateurs","Alias","S-1-5-32-544",'
                 '"Groupe obligatoire, Activé par défaut, Groupe activé, Propriétaire du groupe"\n')
WHOAMI_USER = f'"Nom d\'utilisateur","SID"\n"corp\\vistoadmin","{SA_SID}"\n'


@pytest.mark.parametrize("machine,local,via", [
    # GG-VMES-Admins (hex SID) is a member of the local Administrators, and in the account's token
    # (the message names the member as the collector listed it, not its bare SID)
    ({"local_admins": utf16(ADMINS)}, True, "CORP\\GG-VMES-Admins"),
    ({"local_admins": utf16(ADMINS.replace(sid_hex(GROUP_SID), sid_hex(f"{DOMAIN_SID}-1500")))}, False, None),
    # the member list failed: whoami /groups (this machine's token) decides
    ({"local_admins": Step("error", error="Accès refusé"), "whoami_groups": oem(WHOAMI_GROUPS)}, True,
     "jeton du compte (whoami)"),
    ({"local_admins": Step("error", error="Accès refusé")}, None, None),
])
def test_service_account_columns_of_the_vmes_host(tmp_path, machine, local, via) -> None:
    facts = facts_of(write_collection(tmp_path, {**directory(), "whoami_user": oem(WHOAMI_USER), **machine}))
    assert rows(facts, "host", "sa_local_admin", "sa_local_admin_via", "run_as_sid_matches_sa", "sa_sid",
                "sa_home_server", "domain_netbios") == [
        {"sa_local_admin": local, "sa_local_admin_via": via, "run_as_sid_matches_sa": True, "sa_sid": SA_SID,
         "sa_home_server": "EXCH01", "domain_netbios": "CORP"}]


def _admins(*members: tuple[str, str, str, str]) -> str:
    """local_admins with these (Name, Domain, Sid, Class) members; an empty Sid is one the collector
    could not read (docs/collection-format.md)."""
    return RECORDS + "[group]\nName=Administrateurs\nSid=S-1-5-32-544\n" + "".join(
        f"\n[member]\nName={name}\nDomain={domain}\nSid={sid}\nClass={kind}\n" for name, domain, sid, kind in members)


@pytest.mark.parametrize("members,local,via,note", [
    # issue 19: the account itself, its SID unread: a pass by name and domain, with a note
    ([("VistoAdmin", "CORP", "", "User")], True, "CORP\\VistoAdmin, reconnu par son nom", "le SID de CORP\\VistoAdmin"),
    # one of the account's own groups (tokenGroups names GG-VMES-Admins), its SID unread
    ([("GG-VMES-Admins", "CORP", "", "Group")], True, "CORP\\GG-VMES-Admins, reconnu par son nom",
     "dont le compte est membre"),
    # a local group whose SID is unread could hold the account: unknown, never « non membre »
    ([("Admins-Appli", "VMES01", "", "Group")], None, None, "SID non lu pour 1 membre(s)"),
    # a domain group the account's token does not hold, and another user: they do not contain it
    ([("GG-Autres", "CORP", "", "Group"), ("Jean", "CORP", "", "User")], False, None, None),
    # a local homonym of the account is not the domain account
    ([("VistoAdmin", "VMES01", "", "User")], False, None, None),
])
def test_local_administrators_whose_sid_was_not_read(tmp_path, members, local, via, note) -> None:
    facts = facts_of(write_collection(tmp_path, {**directory(), "local_admins": utf16(_admins(*members))}))
    (row,) = rows(facts, "host", "sa_local_admin", "sa_local_admin_via", "sa_local_admin_note")
    assert (row["sa_local_admin"], row["sa_local_admin_via"]) == (local, via)
    assert (note is None and row["sa_local_admin_note"] is None) or note in row["sa_local_admin_note"]


def test_domain_controllers(tmp_path: Path) -> None:
    dcs = TEXTS["ad_domain_controllers"] + (
        "\n[dc]\nname=DC02\ndNSHostName=DC02.corp.exemple.fr\noperatingSystem=Windows 2000 Server\n"
        "operatingSystemVersion=5.0 (2195)\noperatingSystemServicePack=Service Pack 4\n"
        # the account could read none of its attributes: no family
        "\n[dc]\nname=DC03\ndNSHostName!\noperatingSystem!\noperatingSystemVersion!\noperatingSystemServicePack!\n")
    _, facts = organisation(tmp_path, ad_domain_controllers=dcs)
    assert rows(facts, "domain_controllers", "name", "os_version", "os_sp", "sp", "family") == [
        {"name": "DC01", "os_version": "5.2 (3790)", "os_sp": "Service Pack 1", "sp": 1, "family": "Windows Server 2003"},
        {"name": "DC02", "os_version": "5.0 (2195)", "os_sp": "Service Pack 4", "sp": 4, "family": "Windows 2000"},
        {"name": "DC03", "os_version": None, "os_sp": None, "sp": 0, "family": None}]


SERVER_COLUMNS = ("name", "admin_group", "source", "version_text", "label_fr", "major", "sp", "version_conflict")
EXCH01 = {"name": "EXCH01", "admin_group": "Paris, Siège", "source": "ad",
          "version_text": "Version 6.5 (Build 7638.2: Service Pack 2)", "label_fr": "Exchange 2003 SP2", "major": 6,
          "sp": 2, "version_conflict": None}
SECOND = (f"\n[server]\ndistinguishedName=CN=EXCH01,CN=Servers,CN=Site,CN=Administrative Groups,CN=Ancienne,{DOMAIN}\n"
          "name=EXCH01\nserialNumber[]=Version 5.5 (Build 2653: Service Pack 4)\n")


@pytest.mark.parametrize("text,expected,warning", [
    (TEXTS["ad_exchange_servers"], [EXCH01], None),
    # a leftover object of the same name with another version: neither version is kept
    (TEXTS["ad_exchange_servers"] + SECOND,
     [{**EXCH01, "label_fr": None, "major": None, "sp": None, "version_conflict":
       "deux objets serveur de même nom dans l'annuaire : Version 6.5 (Build 7638.2: Service Pack 2) ; "
       "Version 5.5 (Build 2653: Service Pack 4)"}], "Le serveur Exchange EXCH01 figure deux fois"),
    (TEXTS["ad_exchange_servers"].replace("Version 6.5 (Build 7638.2: Service Pack 2)", "Version inconnue"),
     [{**EXCH01, "version_text": "Version inconnue", "label_fr": None, "major": None, "sp": None}],
     "Serveur Exchange EXCH01 : version illisible"),
])
def test_exchange_servers_from_the_directory(tmp_path, text, expected, warning) -> None:
    _, facts = organisation(tmp_path, ad_exchange_servers=text)
    assert rows(facts, "exchange_servers", *SERVER_COLUMNS) == expected
    assert any(w.startswith(warning) for w in facts.warnings) if warning else facts.warnings == []


def _format_list(*servers: tuple[str, str]) -> bytes:
    """Get-ExchangeServer | Format-List, as Out-File writes it (UTF-16LE, CRLF)."""
    return utf16("".join(f"\n\nName                : {name}\nServerRole          : Mailbox\n"
                         f"AdminDisplayVersion : {version}\n" for name, version in servers))


@pytest.mark.parametrize("ems,expected", [
    # EMS confirms EXCH01 and adds an Exchange 2007 server the directory records did not list
    ([("EXCH01", "Version 6.5 (Build 7638.2: Service Pack 2)"), ("EXCH07", "Version 8.1 (Build 240.6)")],
     [{**EXCH01}, {"name": "EXCH07", "admin_group": None, "source": "ems", "version_text": "Version 8.1 (Build 240.6)",
                   "label_fr": "Exchange 2007 SP1", "major": 8, "sp": 1, "version_conflict": None}]),
    # EMS says SP1 where the directory says SP2: no version
    ([("EXCH01", "Version 6.5 (Build 7226.6: Service Pack 1)")],
     [{**EXCH01, "label_fr": None, "major": None, "sp": None, "version_conflict":
       "l'annuaire et Get-ExchangeServer donnent des versions différentes : Version 6.5 (Build 7638.2: Service Pack 2) ;"
       " Version 6.5 (Build 7226.6: Service Pack 1)"}]),
])
def test_exchange_servers_cross_checked_by_ems(tmp_path, ems, expected) -> None:
    vmes = write_collection(tmp_path, directory())
    ems_run = write_collection(tmp_path, {"ems_exchangeserver": _format_list(*ems)}, host="EXCH07", mode="ems")
    assert rows(facts_of(vmes, ems_run), "exchange_servers", *SERVER_COLUMNS) == expected


def test_the_servers_own_run_names_its_host(tmp_path: Path) -> None:
    record = RECORDS + (f"[server]\ndistinguishedName={escape(SERVER)}\nname=EXCH01\n"
                        "serialNumber[]=Version 6.5 (Build 7638.2: Service Pack 2)\n")
    vmes = write_collection(tmp_path, directory())
    exchange = write_collection(tmp_path, {"exchange_version": utf16(record)}, host="EXCH01", mode="exchange")
    assert rows(facts_of(vmes, exchange), "exchange_servers", "host", "name", "source", "version_conflict") == [
        {"host": "EXCH01", "name": "EXCH01", "source": "ad", "version_conflict": None}]


MAPI = (SAMPLE / "reg_mapi_profiles.reg").read_text(encoding="utf-8")  # profile VMES, home server EXCH01


@pytest.mark.parametrize("servers,in_org", [
    (TEXTS["ad_exchange_servers"], True),
    (TEXTS["ad_exchange_servers"].replace("name=EXCH01", "name=EXCH02").replace("CN=EXCH01", "CN=EXCH02"), False),
    # no Exchange server known: whether the profile's server is in the organisation is unknown
    (None, None),
])
def test_mapi_profiles(tmp_path, servers, in_org) -> None:
    folder = write_collection(tmp_path, {**directory(ad_exchange_servers=servers), "reg_mapi_profiles": utf16(MAPI)})
    assert rows(facts_of(folder), "mapi_profiles", "host", "name", "is_default", "has_exchange", "home_server",
                "home_server_in_org") == [
        {"host": "VMES01", "name": "VMES", "is_default": True, "has_exchange": True, "home_server": "EXCH01",
         "home_server_in_org": in_org}]
