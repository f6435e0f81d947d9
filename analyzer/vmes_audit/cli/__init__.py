"""The French command line (typer): ``vmes-audit`` is ``vmes_audit.cli.main:app``."""
