"""The directory's permissions (``facts/directory.py`` with ``server_rights``, ``delegations``, ``send_as``,
``protected_users``): the ``aces``, ``server_rights``, ``store_rights``, ``exchange_delegations`` and
``mail_containers`` tables and the organisation's protected-user columns, from ``ad_acl`` descriptors in
format 1.1 (hex) and in the IADs form (``ace`` records, names to resolve).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import SA_SID, Step, facts_of, rows, write_collection
from tests.facts.directory_records import (DOMAIN, GROUP_SID, ORG, OU, READ, SD_RECORDS, SERVER, STORE, TEXTS,
                                           directory, escape, sd_record, sid_hex)
from tests.samba.descriptors import CI, Ace
from vmes_audit.windows.rights import GUID_RECEIVE_AS, GUID_SEND_AS

RIGHTS = ["Send-As", "Receive-As", "ms-Exch-Store-Admin", "GenericRead", "GenericWrite"]
SERVER_SD = SD_RECORDS["server"]


def facts(tmp_path: Path, machine: dict | None = None, **changes: str | None):
    return facts_of(write_collection(tmp_path, {**directory(**changes), **(machine or {})}))


def _ace(index: int, ace_type: int, mask: str, trustee: str, sid: str = "", object_type: str = "") -> str:
    """One ``ace`` record of the IADs fallback (1.0): AccessMask as VBScript printed the signed Long."""
    return (f"[ace]\nObjectDN={escape(SERVER)}\nIndex={index}\nAceType={ace_type}\nAceFlags=0\nAccessMask={mask}\n"
            f"Flags={1 if object_type else 0}\nObjectType={object_type}\nInheritedObjectType=\n"
            f"Trustee={escape(trustee)}\nTrusteeSid={sid}\n\n")


IADS_HEAD = f"[sd]\nObjectDN={escape(SERVER)}\nOwner=CORP\\\\Domain Admins\nControl=35860\n\n"


@pytest.mark.parametrize("server_sd,aces,granted,unresolved", [
    # 1.1: the binary descriptor, one allow GenericAll for the account
    (SERVER_SD, [(0, True, 0xF01FF, None, SA_SID)], [True] * 5, 0),
    # IADs: a deny of Receive As to GG-VMES-Admins printed as a name (resolved from the account's groups),
    # then GenericAll to the account (its SID in hex)
    (IADS_HEAD + _ace(0, 6, "256", "CORP\\GG-VMES-Admins", object_type=GUID_RECEIVE_AS)
     + _ace(1, 0, "983551", "CORP\\VistoAdmin", sid_hex(SA_SID)),
     [(0, False, 0x100, GUID_RECEIVE_AS, GROUP_SID), (1, True, 0xF01FF, None, SA_SID)], [True, False, True, True, True], 0),
    # IADs: first a deny of GENERIC_READ (-2147483648, the signed Long VBScript printed, mapped to the read bits)
    # for a name nobody can translate: the rights it could cover are unknown, never granted; the extended
    # rights it cannot touch stay decided
    (IADS_HEAD + _ace(0, 1, "-2147483648", "AUTRE\\inconnu") + _ace(1, 0, "983551", "CORP\\VistoAdmin", sid_hex(SA_SID)),
     [(0, False, READ, None, None), (1, True, 0xF01FF, None, SA_SID)], [True, True, True, None, None], 1),
])
def test_server_descriptors_in_both_forms(tmp_path, server_sd, aces, granted, unresolved) -> None:
    found = facts(tmp_path, ad_acl=TEXTS["ad_acl"].replace(SERVER_SD, server_sd))
    server_aces = [r for r in rows(found, "aces") if r["object_dn"] == SERVER]
    assert [(r["index"], r["allow"], r["mask"], r["object_type"], r["trustee_sid"]) for r in server_aces] == aces
    assert rows(found, "server_rights", "server", "right") == [{"server": "EXCH01", "right": r} for r in RIGHTS]
    assert [r["granted"] for r in rows(found, "server_rights")] == granted
    assert rows(found, "organisation")[0]["unresolved_trustees"] == unresolved


NOT_RETURNED = f"[sd]\nObjectDN={escape(SERVER)}\nError=Le répertoire n'a pas renvoyé l'attribut\nErrorCode=8000500D\n\n"


@pytest.mark.parametrize("changes,machine,reason", [
    ({"ad_acl": None}, None, "listes de contrôle d'accès non collectées (ad_acl)"),
    ({}, {"ad_service_account_groups": Step("error", error="0x80072030 Il n'y a pas d'objet de ce type sur le serveur")},
     "groupes du compte de service inconnus (0x80072030 Il n'y a pas d'objet de ce type sur le serveur)"),
    # the account may not read the server's permissions (E_ADS_PROPERTY_NOT_FOUND)
    ({"ad_acl": TEXTS["ad_acl"].replace(SERVER_SD, NOT_RETURNED)}, None,
     f"Non évaluable : les autorisations de « {SERVER} » ne sont pas lisibles par le compte qui a fait la collecte "
     "(attribut non renvoyé par l'annuaire) ; le droit « Envoyer comme (Send As) » ne peut pas y être vérifié."),
])
def test_server_rights_undecided_say_why(tmp_path, changes, machine, reason) -> None:
    found = facts(tmp_path, machine, **changes)
    assert [r["granted"] for r in rows(found, "server_rights")] == [None] * 5
    assert rows(found, "server_rights", "reason")[0] == {"reason": reason}


def test_store_rights_and_the_store_list(tmp_path: Path) -> None:
    # the store holds the server's GenericAll for the account, inherited
    found = facts(tmp_path)
    assert rows(found, "store_rights", "server", "store", "store_dn", "right", "granted") == [
        {"server": "EXCH01", "store": "Banque (EXCH01)", "store_dn": STORE, "right": right, "granted": True}
        for right in ("Send-As", "Receive-As")]
    assert rows(found, "exchange_servers", "store_count") == [{"store_count": 1}]


def test_a_store_list_without_the_accounts_own_store_is_incomplete(tmp_path: Path) -> None:
    # the directory returned another store only: the account cannot list the stores, the list proves nothing
    found = facts(tmp_path, ad_exchange_stores=TEXTS["ad_exchange_stores"].replace("Banque (EXCH01)", "Autre banque"))
    assert rows(found, "store_rights") == [] and rows(found, "exchange_servers", "store_count") == [{"store_count": None}]
    assert rows(found, "organisation")[0]["stores_collected"] is False
    assert found.artifact("VMES01", "ad_exchange_stores").error.startswith("la banque qui héberge la boîte du compte")


ORG_SD = SD_RECORDS["org"]


@pytest.mark.parametrize("org_sd,delegations,unknown,unreadable", [
    (ORG_SD, [("delegation", GROUP_SID, "CORP\\GG-VMES-Admins", "le groupe « CORP\\GG-VMES-Admins »",
               ["ListChildren", "ReadProperty", "ListObject", "ReadControl"], ["organisation"])], None, False),
    # the account may not read the organisation's permissions: evidence in itself (every role includes Read)
    (f"[sd]\nObjectDN={ORG}\nError=x\nErrorCode=8000500D\n\n", [], None, True),
    ("", [], f"descripteur de sécurité de l'organisation « {ORG} » non collecté", False),
])
def test_exchange_delegations(tmp_path, org_sd, delegations, unknown, unreadable) -> None:
    found = facts(tmp_path, ad_acl=TEXTS["ad_acl"].replace(ORG_SD, org_sd))
    assert [(r["kind"], r["principal_sid"], r["principal_name"], r["via"], r["allowed"], r["objects"])
            for r in rows(found, "exchange_delegations")] == delegations
    org = rows(found, "organisation")[0]
    assert (org["delegations_unknown_reason"], org["org_permissions_unreadable"]) == (unknown, unreadable)


@pytest.mark.parametrize("ou_sd,summary,send_as,protected,truncated", [
    (None, "Truncated=False", True, False, False),
    # inheritance disabled on the OU (SE_DACL_PROTECTED): the domain head's Send As does not reach it
    (sd_record(OU, Ace.allow(GROUP_SID, READ, CI), control=0x1000), "Truncated=False", False, True, False),
    # the collector stopped at 200 containers
    (None, "Truncated=True", True, False, True),
])
def test_mail_containers(tmp_path, ou_sd, summary, send_as, protected, truncated) -> None:
    acl = TEXTS["ad_acl"] if ou_sd is None else TEXTS["ad_acl"].replace(SD_RECORDS["ou"], ou_sd)
    found = facts(tmp_path, ad_acl=acl,
                  ad_mail_containers=TEXTS["ad_mail_containers"].replace("Truncated=False", summary))
    assert rows(found, "mail_containers", "dn", "mail_users", "send_as", "protected") == [
        {"dn": OU, "mail_users": 3, "send_as": send_as, "protected": protected}]
    org = rows(found, "organisation")[0]
    assert (org["send_as_evidence"], org["mail_containers_count"], org["mail_users_count"],
            org["mail_containers_truncated"], org["mail_users_without_send_as"]) == (
        "conteneurs", 1, 3, truncated, 0 if send_as else 3)


@pytest.mark.parametrize("containers,reason", [
    (None, "la collecte ne contient pas la liste des conteneurs des utilisateurs de messagerie (ad_mail_containers : "
           "collecteur d'une version antérieure)"),
    ("[summary]\nContainers=0\nMailUsers=0\nTruncated=False\n",
     "aucun utilisateur doté d'une boîte aux lettres n'a été trouvé dans l'annuaire (ad_mail_containers vide)"),
])
def test_without_containers_the_domain_head_decides_and_says_why(tmp_path, containers, reason) -> None:
    found = facts(tmp_path, ad_mail_containers=containers)
    org = rows(found, "organisation")[0]
    assert rows(found, "mail_containers") == [] and org["mail_containers_count"] is None
    assert (org["send_as_evidence"], org["send_as_fallback_reason"], org["sa_send_as_domain"]) == ("domaine", reason, True)


PROTECTED = (f"[user]\ndistinguishedName=CN=Jean Dupont,{OU}\nadminCount=1\nControl=39956\n\n"
             f"[user]\ndistinguishedName=CN=Marie Curie\\\\, DRH,{OU}\nadminCount!\nControl=39940\n\n")
ADMINCOUNT = (f"[user]\ndistinguishedName=CN=Jean Dupont,{OU}\nsAMAccountName=jdupont\nsdControl=39956\n\n"
              f"[user]\ndistinguishedName=CN=Ancien Admin,{OU}\nsAMAccountName=aadmin\nsdControl=35860\n\n"
              "[summary]\nCount=2\nTruncated=False\n")
HOLDER = sd_record(f"CN=AdminSDHolder,CN=System,{DOMAIN}", Ace.allow(GROUP_SID, 0x100, 0, GUID_SEND_AS))


@pytest.mark.parametrize("changes,expected", [
    # 1.1: one user protected by AdminSDHolder (adminCount=1), one by hand (« CN=Marie Curie\, DRH »)
    ({"ad_mail_users_protected": PROTECTED + "[summary]\nMailUsers=3\nProtected=2\nUnknown=1\nTruncated=False\n",
      "ad_acl": TEXTS["ad_acl"] + HOLDER},
     {"protected_source": "ad_mail_users_protected", "protected_admincount_users": ["Jean Dupont"],
      "protected_by_hand_users": ["Marie Curie, DRH"], "protected_users_count": 2, "protected_unknown_count": 1,
      "mail_users_scanned": 3, "adminsdholder_send_as": True}),
    # 1.0: adminCount=1 users only; « aadmin » inherits again (DACL no longer protected)
    ({"ad_mail_users_protected": None, "ad_admincount_users": ADMINCOUNT},
     {"protected_source": "ad_admincount_users", "protected_admincount_users": ["jdupont"], "protected_by_hand_users": [],
      "protected_users_count": 1, "protected_unknown_count": 0, "mail_users_scanned": None,
      "adminsdholder_send_as": None}),
    # an interrupted step (no summary record): the file is unreadable, nothing is said of the users
    ({"ad_mail_users_protected": PROTECTED},
     {"protected_source": None, "protected_admincount_users": None, "protected_by_hand_users": None,
      "protected_users_count": None, "protected_unknown_count": None, "mail_users_scanned": None,
      "adminsdholder_send_as": None}),
])
def test_protected_mail_users(tmp_path, changes, expected) -> None:
    org = rows(facts(tmp_path, **changes), "organisation")[0]
    assert {column: org[column] for column in expected} == expected
