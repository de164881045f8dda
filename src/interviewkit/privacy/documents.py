"""Documents stored without the file's name or path in clear.

File names often hold the participant's name ("P01_sophie_panne_voiture.txt"). The store keeps:

- ``documents.name``: the file name with its person names pseudonymised
  (:meth:`Pseudonymiser.pseudonymise_file_name`), e.g. "P01_P01_panne_voiture.txt";
- ``documents.path``: that name, ``#`` and a *source tag*: the first 16 hex digits of
  HMAC-SHA256(project secret, absolute path of the file). The tag identifies the file across runs (an
  unchanged file is skipped, a changed one becomes a new version) and reveals nothing without the secret;
  the name part follows the stored name (ingestion renames every version when the key has learned a name
  that the stored name still holds).

The secret is ``PROJECT/private/document_secret`` (32 random bytes, mode 0600, created on first use; never
in a backup). Without it (a project restored without ``private/``) the next ingestion cannot recognise files
already stored and adds them again as new documents.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .text import PrivacyError

SECRET_NAME = "document_secret"
TAG_CHARS = 16


def document_secret(private_dir: Path) -> bytes:
    """The project's secret for source tags (created atomically on first use)."""
    path = Path(private_dir) / SECRET_NAME
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise PrivacyError("E610", f"the document secret is unreadable or damaged: {exc}", path=path,
                           hint="restore PROJECT/private/document_secret from your backup of private/; only if "
                                "none exists, delete it (files already stored will then be ingested again)") from exc
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run created it just now
        return document_secret(private_dir)
    value = secrets.token_bytes(32)
    try:
        os.write(fd, value.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return value


def source_tag(secret: bytes, file: Path) -> str:
    """Keyed hash of the file's absolute path (16 hex digits)."""
    digest = hmac.new(secret, str(Path(file).resolve()).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:TAG_CHARS]


def stored_path(name: str, tag: str) -> str:
    """The ``documents.path`` of a new document: its stored name and its source tag."""
    return f"{name}#{tag}"


def tag_of(path: str) -> str | None:
    """The source tag of a stored path, None for a path stored before tags (a clear path)."""
    head, sep, tag = path.rpartition("#")
    return tag if sep and head and len(tag) == TAG_CHARS and all(c in "0123456789abcdef" for c in tag) else None
