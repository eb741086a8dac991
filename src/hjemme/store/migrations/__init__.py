"""Alembic migrations of the hjemme schema, shipped as package data; run them with
:func:`hjemme.store.database.upgrade`."""
