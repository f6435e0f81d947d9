"""One assessment from end to end (``run``), its action plan, the comparison of two assessments and
the results file (``resultats.json``) read back."""
