"""Windows, Active Directory and Exchange facts as code: SIDs and RIDs, distinguished names, access
rights and their GUIDs, Exchange version strings. No collection, no parsing of artifacts."""
