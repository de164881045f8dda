"""The SQLite project store: connection, schema migrations, transactions, backups."""
from .connection import (
    DB_NAME,
    backup,
    connect,
    integrity_problems,
    migrate,
    schema_version,
    utcnow,
    write_transaction,
)
from .schema import latest_version

__all__ = [
    "DB_NAME",
    "backup",
    "connect",
    "integrity_problems",
    "latest_version",
    "migrate",
    "schema_version",
    "utcnow",
    "write_transaction",
]
