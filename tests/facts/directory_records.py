"""A small Exchange 2003 organisation as the collector's AD steps write it (docs/collection-format.md §5).

corp.exemple.fr (the samples' domain SID), the service account CORP\\VistoAdmin (RID 1102) in
GG-VMES-Admins (RID 1103), one administrative group whose name holds a comma (« Paris, Siège »: the DN
escapes it, ``CN=Paris\\, Siège``), one server EXCH01 and its mailbox store. SIDs and descriptors are
written as format 1.1 does, the lowercase hex of their bytes, encoded by ``tests/samba/descriptors.py``
(independent of the analyzer's parser); :func:`as_format_1_0` turns the SIDs into 1.0's ``S-1-…`` text.

>>> sid_hex(f"{DOMAIN_SID}-513")
'0105000000000005150000002fd5ec6d8177d974235f636b01020000'
"""

from __future__ import annotations

import re

from tests.facts.collection_folder import DOMAIN_SID, RECORDS, SA_SID, utf16
from tests.samba.descriptors import CI, ID, Ace, SecurityDescriptor, sid_to_bytes
from vmes_audit.windows.rights import GUID_SEND_AS
from vmes_audit.windows.sids import sid_from_hex

__all__ = ["DOMAIN", "ORG", "AG", "SERVER", "STORE", "SA_DN", "OU", "GROUP_SID", "USER_CLASS", "sid_hex", "sd_hex",
           "escape", "directory", "as_format_1_0", "READ", "ALL", "SD_RECORDS", "sd_record", "TEXTS"]

DOMAIN = "DC=corp,DC=exemple,DC=fr"
CONFIG = f"CN=Configuration,{DOMAIN}"
ORG = f"CN=Exemple Assurances,CN=Microsoft Exchange,CN=Services,{CONFIG}"
AG = f"CN=Paris\\, Siège,CN=Administrative Groups,{ORG}"
SERVER = f"CN=EXCH01,CN=Servers,{AG}"
STORE = f"CN=Banque (EXCH01),CN=Premier groupe de stockage,CN=InformationStore,{SERVER}"
OU = f"OU=Utilisateurs,OU=Exemple,{DOMAIN}"
SA_DN = f"CN=VistoAdmin,OU=Comptes de service,OU=Exemple,{DOMAIN}"
GROUP_SID = f"{DOMAIN_SID}-1103"
USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"
READ = 0x20094  # ReadProperty, ListChildren, ListObject, ReadControl: « Lecture »
ALL = 0xF01FF  # GenericAll as the directory stores it


def sid_hex(sid: str) -> str:
    return sid_to_bytes(sid).hex()


def sd_hex(*aces: Ace, control: int = 0) -> str:
    """A self-relative descriptor (owner and group Domain Admins) in lowercase hex."""
    return SecurityDescriptor(f"{DOMAIN_SID}-512", f"{DOMAIN_SID}-512", list(aces), control=control).to_bytes().hex()


def escape(value: str) -> str:
    """A value as a record file writes it (``\\`` doubled)."""
    return value.replace("\\", "\\\\")


def sd_record(dn: str, *aces: Ace, control: int = 0) -> str:
    """One ``sd`` record of ``ad_acl`` as format 1.1 writes it (``Sd`` in hex, read by ADsSecurityUtility)."""
    return f"[sd]\nObjectDN={escape(dn)}\nSd={sd_hex(*aces, control=control)}\nSdSource=hexstring\n\n"


# The domain head grants Send As on user objects to GG-VMES-Admins; the OU holds it inherited.
SEND_AS_USERS = Ace.allow(GROUP_SID, 0x100, CI, GUID_SEND_AS, USER_CLASS)
# The server grants GenericAll to the account, its store holds it inherited; GG-VMES-Admins reads the organisation.
SD_RECORDS = {"domain": sd_record(DOMAIN, SEND_AS_USERS), "org": sd_record(ORG, Ace.allow(GROUP_SID, READ)),
              "server": sd_record(SERVER, Ace.allow(SA_SID, ALL)), "store": sd_record(STORE, Ace.allow(SA_SID, ALL, ID)),
              "ou": sd_record(OU, Ace.allow(GROUP_SID, 0x100, CI | ID, GUID_SEND_AS, USER_CLASS))}

TEXTS = {
    "ad_rootdse": f"[rootdse]\ndefaultNamingContext={DOMAIN}\nconfigurationNamingContext={CONFIG}\n"
                  f"rootDomainNamingContext={DOMAIN}\ndnsHostName=DC01.corp.exemple.fr\n",
    "ad_domain": f"[domain]\ndistinguishedName={DOMAIN}\nname=corp\nobjectSid={sid_hex(DOMAIN_SID)}\nnETBIOSName=CORP\n\n"
                 f"[directoryservice]\ndSHeuristics!\n\n"
                 f"[builtingroup]\ndistinguishedName=CN=Pre-Windows 2000 Compatible Access,CN=Builtin,{DOMAIN}\n"
                 f"Sid=S-1-5-32-554\nmember[]=CN=S-1-5-11,CN=ForeignSecurityPrincipals,{DOMAIN}\n",
    "ad_partitions": f"[crossref]\ndistinguishedName=CN=CORP,CN=Partitions,{CONFIG}\nnCName={DOMAIN}\n"
                     "dnsRoot[]=corp.exemple.fr\nnETBIOSName=CORP\n",
    "ad_domain_controllers": "[dc]\nname=DC01\ndNSHostName=DC01.corp.exemple.fr\noperatingSystem=Windows Server 2003\n"
                             "operatingSystemVersion=5.2 (3790)\noperatingSystemServicePack=Service Pack 1\n",
    "ad_service_account": f"[user]\ndistinguishedName={SA_DN}\nsAMAccountName=VistoAdmin\nobjectSid={sid_hex(SA_SID)}\n"
                          "userAccountControl=66048\nprimaryGroupID=513\nadminCount!\n"
                          f"memberOf[]=CN=GG-VMES-Admins,OU=Groupes,OU=Exemple,{DOMAIN}\nhomeMDB={escape(STORE)}\n"
                          "msExchHomeServerName=/o=Exemple Assurances/ou=Paris, Siège/cn=Configuration/cn=Servers/cn=EXCH01\n"
                          "legacyExchangeDN=/o=Exemple Assurances/ou=Paris, Siège/cn=Recipients/cn=VistoAdmin\n"
                          "mail=VistoAdmin@exemple.fr\nshowInAddressBook[]=CN=Default Global Address List,"
                          f"CN=All Global Address Lists,CN=Address Lists Container,{ORG}\n"
                          f"msExchHideFromAddressLists!\nnTSecurityDescriptor={sd_hex(Ace.allow(SA_SID, READ))}\n",
    "ad_service_account_groups": f"[group]\nSid={sid_hex(GROUP_SID)}\n"
                                 f"distinguishedName=CN=GG-VMES-Admins,OU=Groupes,OU=Exemple,{DOMAIN}\nName=GG-VMES-Admins\n\n"
                                 f"[group]\nSid={sid_hex(DOMAIN_SID + '-513')}\ndistinguishedName=CN=Domain Users,CN=Users,"
                                 f"{DOMAIN}\nName=Domain Users\n",
    "ad_exchange_org": f"[organization]\ndistinguishedName={ORG}\nname=Exemple Assurances\n\n"
                       f"[admingroup]\ndistinguishedName={escape(AG)}\nname=Paris, Siège\n"
                       "legacyExchangeDN=/o=Exemple Assurances/ou=Paris, Siège\n",
    "ad_exchange_servers": f"[server]\ndistinguishedName={escape(SERVER)}\nname=EXCH01\n"
                           "serialNumber[]=Version 6.5 (Build 7638.2: Service Pack 2)\n"
                           "legacyExchangeDN=/o=Exemple Assurances/ou=Paris, Siège/cn=Configuration/cn=Servers/cn=EXCH01\n"
                           "msExchCurrentServerRoles!\n",
    "ad_exchange_stores": f"[store]\ndistinguishedName={escape(STORE)}\nname=Banque (EXCH01)\nobjectClass[]=top\n"
                          "objectClass[]=msExchMDB\nobjectClass[]=msExchPrivateMDB\n",
    "ad_acl": "".join(SD_RECORDS.values()),
    "ad_mail_containers": f"[container]\ndistinguishedName={OU}\nMailUsers=3\n\n"
                          "[summary]\nContainers=1\nMailUsers=3\nTruncated=False\n",
    "ad_mail_users_protected": "[summary]\nMailUsers=3\nProtected=0\nUnknown=0\nTruncated=False\n",
}


def directory(**changes: str | None) -> dict[str, bytes]:
    """The AD artifacts (record files, UTF-16LE); a change replaces one's records (None leaves it out)."""
    texts = {**TEXTS, **changes}
    return {name: utf16(RECORDS + text) for name, text in texts.items() if text is not None}


def as_format_1_0(text: str) -> str:
    """``objectSid`` and ``Sid`` values as format 1.0 wrote them: ``S-1-…`` text instead of hex."""
    return re.sub(r"^((?:objectSid|Sid)=)([0-9a-f]{16,})$", lambda m: m.group(1) + sid_from_hex(m.group(2)),
                  text, flags=re.M)
