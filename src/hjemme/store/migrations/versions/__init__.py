"""Migration scripts: ``0001_foundation`` and feature branches whose ``down_revision`` is it."""
