"""Presales workflows built on assessments and reports: the customer kit, batch analysis of a
portfolio, pseudonymised sharing."""
