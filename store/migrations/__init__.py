"""Alembic migrations of the routing store."""
