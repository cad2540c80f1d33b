"""Revisions of the ledger schema, oldest first (v0001, v0002, …)."""
