"""A hand-built ``AssessmentReport`` for the report tests: two hosts, every
state several times, every section, a hostile string and a very long DN.

``build_report()`` is importable (``python -c "import conftest"`` from this
folder) to render the fixture by hand and look at the pages.
"""

from __future__ import annotations

import pytest

from vmes_audit.base.findings import (
    ArtifactStatus,
    AssessmentReport,
    Finding,
    HostSummary,
    InputInfo,
    Reference,
    Severity,
    State,
    Verdict,
)

HOSTILE = 'Valeur <b>grasse</b></div><script>alert("x")</script> & « suite »'
LONG_DN = (
    "CN=Exchange Servers,CN=Microsoft Exchange System Objects,OU=Serveurs de messagerie,"
    "OU=Infrastructure,OU=Siège social Paris La Défense,OU=Comptes de service,"
    "DC=filiale-industrielle-europeenne,DC=groupe-exemple-tres-long,DC=local"
)
SID = "S-1-5-21-3623811015-3361044348-30300820-1013"

SECTIONS = [
    ("A", "Environnement Windows"),
    ("B", "Environnement Exchange"),
    ("C", "Machine VMES : caractéristiques matérielles"),
    ("D", "Machine VMES : caractéristiques logicielles"),
    ("E", "Préparation de la configuration réseau"),
    ("F", "Compte de service et attribution des droits"),
    ("G", "Profil MAPI sur la machine VMES"),
    ("H", "Collecte"),
]

KB891509 = Reference(kind="kb", id="891509", title="Fuite mémoire CDO/MAPI32 sous Exchange 2003 SP1",
                     url="http://support.microsoft.com/?kbid=891509")
KB912918 = Reference(kind="kb", id="912918", title="Attribuer l'autorisation Envoyer comme",
                     url="http://support.microsoft.com/kb/912918/fr")
SEED = Reference(kind="seed", id="VMES 5.5 – Prérequis", title="§ Permission Envoyer comme")


def _f(rule_id: str, catalogue: str, state: State, severity: Severity, title: str,
       message: str, host: str = "VMES01", **extra) -> Finding:
    return Finding(rule_id=rule_id, catalogue=catalogue, section=catalogue[0], title=title,
                   state=state, severity=severity, host=host, message=message, **extra)


def build_findings() -> list[Finding]:
    P, F, W, M, U, N, X = (State.PASS, State.FAIL, State.WARN, State.MANUAL, State.UNKNOWN,
                           State.NA, State.WAIVED)
    B, MA, MI, I = Severity.BLOQUANT, Severity.MAJEUR, Severity.MINEUR, Severity.INFO
    return [
        # Deliberately not in reading order: the report sorts them.
        _f("vmes55-f3-not-domain-admin", "F3", F, B,
           "Le compte de service n’est pas administrateur du domaine",
           "Le compte CORP\\svc-vmes est membre de « Admins du domaine » par le groupe "
           "imbriqué GG-Exploitation.", host="",
           observed="Admins du domaine (S-1-5-21-…-512), via GG-Exploitation",
           expected="Aucun groupe protégé (512, 518, 519, S-1-5-32-544)",
           why="Exchange refuse explicitement « Envoyer comme » et « Recevoir comme » aux "
               "administrateurs ; un compte protégé par AdminSDHolder perd aussi les "
               "autorisations héritées.",
           remediation="Remove-ADGroupMember -Identity \"GG-Exploitation\" -Members svc-vmes\n"
                       "# puis vérifier :\n"
                       "Get-ADPrincipalGroupMembership svc-vmes | Select-Object Name",
           evidence=["ad_service_account", "ad_token_groups"],
           details=["Admins du domaine (via GG-Exploitation)", "Administrateurs (BUILTIN)"]),
        _f("vmes55-a1-dc-os", "A1", P, B, "Système des contrôleurs de domaine",
           "Les 2 contrôleurs de domaine exécutent Windows Server 2003 SP1.", host="",
           observed="DC01 : Windows Server 2003 SP1\nDC02 : Windows Server 2003 SP1",
           expected="Windows 2000 Server SP4 ou Windows Server 2003 (RTM, SP1, R2)",
           evidence=["ad_domain_controllers"]),
        _f("vmes55-a2-single-domain", "A2", W, MI, "Infrastructure mono domaine",
           "La forêt contient 2 domaines : corp.exemple.local et dmz.exemple.local.", host="",
           observed="2 domaines", expected="1 domaine",
           why="Le document de prérequis ne couvre que les infrastructures mono domaine.",
           remediation="Contacter l’éditeur pour valider l’architecture multi-domaines.",
           evidence=["ad_crossref"]),
        _f("vmes55-b1-exchange-version", "B1", W, MA, "Version des serveurs Exchange",
           "Le serveur EXCH01 exécute Exchange 2003 SP1 (6.5.7226).", host="EXCH01",
           subject="EXCH01", observed="Version 6.5 (Build 7226.6: Service Pack 1)",
           expected="Exchange 2003 SP2 (fortement conseillé)",
           why="Le SP2 corrige les fuites mémoire MAPI que VMES provoque en ouvrant de "
               "nombreuses boîtes.",
           remediation="Installer Exchange Server 2003 SP2 sur EXCH01, puis les outils "
                       "d’administration SP2 sur VMES01.",
           evidence=["ad_exchange_servers", "reg_exchange_setup"], references=[KB891509]),
        _f("vmes55-b2-sp1-hotfixes", "B2", U, B,
           "Correctifs KB891509 et KB887828 (Exchange 2003 SP1)",
           "Les correctifs installés sur VMES01 n’ont pas pu être lus : l’élément "
           "reg_exchange_updates est absent de la collecte.",
           manual_check="Sur VMES01, ouvrir regedit et vérifier la présence des clés\n"
                        "HKLM\\SOFTWARE\\Microsoft\\Updates\\Exchange Server 2003\\SP2\\KB891509\n"
                        "HKLM\\SOFTWARE\\Microsoft\\Updates\\Exchange Server 2003\\SP2\\KB887828",
           remediation="Installer le SP2 d’Exchange 2003, qui inclut les deux correctifs.",
           evidence=["reg_exchange_updates"], references=[KB891509]),
        _f("vmes55-b3-esm-tools", "B3", P, MA, "Outils d’administration Exchange sur la machine VMES",
           "Les outils d’administration Exchange 2003 SP1 sont installés sur VMES01.",
           observed="6.5.7226 (SP1)", expected="Même niveau que les serveurs (SP1)",
           evidence=["reg_exchange_setup"]),
        _f("vmes55-b4-mapicdo", "B4", N, MA, "ExchangeMapiCdo (Exchange 2007)",
           "L’organisation ne contient aucun serveur Exchange 2007."),
        _f("vmes55-b5-no-outlook", "B5", P, MI, "Outlook absent de la machine VMES",
           "Aucune installation d’Outlook n’a été trouvée sur VMES01.",
           evidence=["reg_uninstall"]),
        _f("vmes55-c1-cpu", "C1", P, MI, "Processeur", "VMES01 dispose de 2 processeurs Intel Xeon E5-2640 à 2 500 MHz.",
           observed="2 × Intel(R) Xeon(R) CPU E5-2640 0 @ 2.50GHz", expected="Classe Pentium IV 3,2 GHz ou supérieure",
           evidence=["wmi_processor"]),
        _f("vmes55-c2-ram", "C2", P, MA, "Mémoire vive", "VMES01 dispose de 4 096 Mo de mémoire vive.",
           observed="4 096 Mo", expected="au moins 1 024 Mo", evidence=["wmi_computersystem"]),
        _f("vmes55-c4-network-speed", "C4", U, MI, "Connexion réseau FastEthernet",
           "La vitesse de la carte réseau n’est pas disponible sur Windows 2000.",
           manual_check="Dans Connexions réseau, ouvrir l’état de la carte et lire la vitesse.",
           evidence=["wmi_network_adapter"]),
        _f("vmes55-c5-raid-power", "C5", M, MI, "Disques sécurisés (RAID) et alimentation redondante",
           "Aucune preuve automatique ne peut établir la redondance des disques et de "
           "l’alimentation.",
           manual_check="Vérifier dans l’outil du constructeur (iLO, iDRAC) l’état du RAID "
                        "et des alimentations.",
           question="Le serveur VMES01 dispose-t-il de disques en RAID et d’une alimentation "
                    "redondante ?"),
        _f("vmes55-c6-virtual", "C6", P, I, "Environnement virtuel",
           "VMES01 est une machine virtuelle VMware (VMware Virtual Platform).",
           evidence=["wmi_computersystem"]),
        _f("vmes55-d2-not-dc", "D2", P, B, "La machine VMES n’est pas un contrôleur de domaine",
           "VMES01 est un serveur membre (DomainRole = 3).", observed="3 (serveur membre)",
           expected="2 ou 3", evidence=["wmi_computersystem"]),
        _f("vmes55-d4-not-tse", "D4", F, B, "La machine VMES n’est pas un serveur TSE",
           "Les services Terminal Server de VMES01 sont en mode application.",
           observed="TerminalServerMode = 1 (application)", expected="0 (administration à distance)",
           why="VMES n’est pas supporté sur un serveur TSE en mode application.",
           remediation="Ajout/Suppression de programmes > Composants Windows > décocher "
                       "« Terminal Server », puis redémarrer VMES01.",
           evidence=["wmi_terminal_service"]),
        _f("vmes55-d6-ie", "D6", P, MI, "Internet Explorer 6.0 ou ultérieur",
           "Internet Explorer 7.0.5730.13 est installé.", evidence=["reg_ie"]),
        _f("vmes55-d7-registry-size", "D7", N, MI, "Taille de la base de registre (Windows 2000)",
           "VMES01 exécute Windows Server 2003 : le contrôle ne s’applique pas."),
        _f("vmes55-e1-noc-https", "E1", F, B, "Connexion HTTPS sortante vers le NOC",
           "La connexion à push.sfr.fr:443 a échoué : le nom n’a pas pu être résolu "
           "(erreur 12007).",
           observed="WinHTTP 12007 (ERROR_WINHTTP_NAME_NOT_RESOLVED) après 2 315 ms",
           expected="Réponse HTTPS du NOC push.sfr.fr (206.124.113.45) sur TCP 443",
           why="VMES maintient une session permanente avec le NOC pour joindre les terminaux.",
           remediation="nslookup push.sfr.fr\n"
                       "Test-NetConnection 206.124.113.45 -Port 443\n"
                       "# Autoriser VMES01 → 206.124.113.45:443 sur le pare-feu de sortie",
           evidence=["probe_noc"]),
        _f("vmes55-e3-proxy", "E3", M, MA, "Proxy non transparent",
           "Un proxy est configuré pour le compte de service : proxy.corp.exemple.local:8080.",
           observed="proxy.corp.exemple.local:8080", manual_check="Obtenir du client le "
           "nom d’utilisateur et le mot de passe du proxy (jamais collectés)."),
        _f("vmes55-f1-account-exists", "F1", P, B, "Le compte de service existe et est actif",
           "Le compte svc-vmes existe et est activé.", host="", subject=LONG_DN,
           observed=f"{LONG_DN}\n{SID}", evidence=["ad_service_account"]),
        _f("vmes55-f5-gal-visible", "F5", X, B, "Boîte aux lettres visible dans la liste d’adresses",
           "La boîte de svc-vmes est masquée de la liste d’adresses globale.", host="",
           waiver="Masquage demandé par la sécurité du client ; validé par l’avant-vente le "
                  "12/03/2024, expire le 30/06/2024.",
           remediation="Set-Mailbox svc-vmes -HiddenFromAddressListsEnabled $false",
           evidence=["ad_service_account"]),
        _f("vmes55-f9-server-rights", "F9", F, B, "Droits sur le serveur Exchange",
           HOSTILE, host="EXCH01", subject="<script>EXCH01</script>",
           observed="Send As : refusé (Deny hérité de CN=Administrative Groups)\n"
                    "Receive As : autorisé\nAdminister Information Store : autorisé",
           expected="Send As, Receive As et Administer Information Store autorisés",
           why="Un refus l’emporte sur une autorisation : VMES ne pourra pas envoyer au nom "
               "des utilisateurs.",
           remediation="Get-MailboxServer EXCH01 | Add-ADPermission -User svc-vmes "
                       "-ExtendedRights Send-As,Receive-As,ms-Exch-Store-Admin\n"
                       "Get-MailboxServer EXCH01 | Get-ADPermission -User svc-vmes | Format-List",
           evidence=["ad_exchange_server_sd"], references=[SEED]),
        _f("vmes55-f10-send-as-domain", "F10", P, MA, "Envoyer comme au niveau du domaine",
           "svc-vmes dispose de « Envoyer comme » sur les objets utilisateur du domaine.",
           host="", evidence=["ad_domain_sd"], references=[KB912918]),
        _f("vmes55-f11-protected-users", "F11", W, MI, "Utilisateurs protégés (adminCount=1)",
           "3 utilisateurs de messagerie ne reçoivent pas l’autorisation héritée.", host="",
           details=["Administrateur", "jdupont (adminCount=1)",
                    f"CN=Jean Martin,{LONG_DN}"],
           remediation="Retirer ces utilisateurs des groupes protégés ou leur attribuer "
                       "« Envoyer comme » explicitement.", evidence=["ad_mail_users"]),
        _f("vmes55-g1-mapi-profile", "G1", U, MA, "Profil MAPI du compte de service",
           "La collecte n’a pas été faite sous le compte de service : le profil MAPI "
           "n’est pas visible.",
           manual_check="Ouvrir une session sous svc-vmes et lancer profman.exe.",
           evidence=["reg_mapi_profiles"]),
        _f("vmes55-h1-run-as", "H1", W, MI, "Compte de collecte",
           "La collecte a été faite sous CORP\\admin-jdupont et non sous svc-vmes.",
           remediation="Relancer le collecteur sous svc-vmes :\n"
                       "runas /user:CORP\\svc-vmes \"cscript //nologo collecte-vmes.vbs\"",
           evidence=["manifest"]),
        _f("vmes55-h2-complete", "H2", P, MA, "Collecte complète", "Les 2 collectes sont complètes.",
           host="", evidence=["manifest"]),
    ]


def build_report() -> AssessmentReport:
    hosts = [
        HostSummary(hostname="VMES01", mode="vmes", collector_version="1.0.3",
                    format_version="1.0", run_as="CORP\\admin-jdupont", run_as_sid=SID,
                    started="2024-03-05T14:02:11", ended="2024-03-05T14:03:40",
                    inventory=[("Système", "Microsoft Windows Server 2003 R2 Standard Edition SP2"),
                               ("Rôle", "Serveur membre"),
                               ("Processeur", "2 × Intel(R) Xeon(R) CPU E5-2640 0 @ 2.50GHz"),
                               ("Mémoire", "4 096 Mo"),
                               ("Unité d’organisation", LONG_DN)],
                    warnings=["L’élément reg_exchange_updates est absent de la collecte."]),
        HostSummary(hostname="EXCH01", mode="exchange", collector_version="1.0.3",
                    format_version="1.0", run_as="CORP\\svc-vmes",
                    run_as_sid="S-1-5-21-3623811015-3361044348-30300820-1120",
                    inventory=[("Système", "Windows Server 2003 Enterprise Edition SP2"),
                               ("Exchange", "Version 6.5 (Build 7226.6: Service Pack 1)")]),
    ]
    artifacts = [
        ArtifactStatus(host="VMES01", name="systeminfo", file="systeminfo.txt",
                       source="systeminfo /FO LIST", status="ok", encoding="cp850",
                       duration_ms=2315),
        ArtifactStatus(host="VMES01", name="wmi_os", file="wmi_os.txt",
                       source="SELECT * FROM Win32_OperatingSystem", status="ok",
                       encoding="utf-16-le", duration_ms=140),
        ArtifactStatus(host="VMES01", name="reg_exchange_updates", file="reg_exchange_updates.txt",
                       source="HKLM\\SOFTWARE\\Microsoft\\Updates\\Exchange Server 2003",
                       status="missing", error="Clé de registre introuvable (0x80070002)."),
        ArtifactStatus(host="VMES01", name="ad_service_account", file="ad_service_account.ldif",
                       source=f"LDAP://{LONG_DN}", status="ok", encoding="utf-8",
                       duration_ms=12345),
        ArtifactStatus(host="EXCH01", name="ems_adpermission", file="ems_adpermission.txt",
                       source="Get-MailboxServer | Get-ADPermission -User svc-vmes | Format-List",
                       status="skipped", error="Exchange Management Shell absent (Exchange 2003)."),
        ArtifactStatus(host="EXCH01", name="reg_exchange_setup", file="reg_exchange_setup.txt",
                       source="HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup", status="error",
                       encoding="utf-16-le", duration_ms=31,
                       error="Accès refusé <ERROR_ACCESS_DENIED>"),
    ]
    return AssessmentReport(
        client="Société Exemple <Industries> & Fils",
        generated_on="05/03/2024",
        pack_id="vmes-5.5",
        pack_version="1.0.0",
        pack_date="2024-02-28",
        vmes_release="5.5",
        analyzer_version="0.1.0",
        parameters={"service_account": "svc-vmes", "noc_host": "push.sfr.fr", "noc_port": 443,
                    "planned_users": 1200},
        verdict=Verdict.NON_PRET,
        verdict_reasons=[
            "4 contrôles bloquants sont non conformes (D4, E1, F3, F9).",
            "1 contrôle bloquant est non évaluable (B2) : la collecte doit être complétée.",
        ],
        sections=SECTIONS,
        findings=build_findings(),
        hosts=hosts,
        inputs=[
            InputInfo(path="C:\\Users\\jdupont\\Collectes\\collecte-VMES01-20240305.zip",
                      sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                      size=1_234_567, kind="zip"),
            InputInfo(path="/home/presales/exch01/",
                      sha256="60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
                      size=987_654, kind="dossier"),
        ],
        artifacts=artifacts,
        warnings=["Le paramètre planned_users (1200) dépasse le dimensionnement documenté "
                  "(1 à 1000 utilisateurs)."],
    )


# Test modules use these fixtures rather than `from conftest import …`: another
# folder's conftest.py could shadow the module name.
@pytest.fixture
def report() -> AssessmentReport:
    return build_report()


@pytest.fixture
def report_factory():
    return build_report


@pytest.fixture
def hostile() -> str:
    return HOSTILE


@pytest.fixture
def long_dn() -> str:
    return LONG_DN
