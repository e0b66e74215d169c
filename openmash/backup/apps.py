from django.apps import AppConfig


class BackupConfig(AppConfig):
    """``openmash backup`` and ``openmash restore`` for the embedded (SQLite) database, with a manifest of what
    each copy holds. PostgreSQL is backed up with its own tools (docs/deployment.md). It reads the audit chain
    and the migrations of every app, so it sits beside insight, above the apps it copies. No models."""

    name = "openmash.backup"
