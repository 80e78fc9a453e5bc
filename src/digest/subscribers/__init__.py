"""Subscribers: addresses, consent, tokens, CSV import and export (library; no SQL, no HTTP)."""
