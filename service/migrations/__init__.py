"""Alembic migrations of the service database (a package, so that it is installed)."""
