"""The ledger's Alembic migrations (shipped inside the package)."""
