"""Where uploaded files live, behind one small interface: local disk in the embedded mode; an
object store (MinIO/OSS, S3-compatible) can implement the same three methods in production. And how
every service takes a file in (:func:`clean_filename`, :func:`clean_media_type`) and gives it back
(:func:`download_response`)."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from fastapi import Response

_KEY_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,299}$")


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory; keys are relative paths chosen by the service (never by a user)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        if not _KEY_OK.match(key) or ".." in key.split("/"):
            raise ValueError(f"invalid storage key {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)  # a reader never sees half a file

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


# -- files people upload and download (issue 8: served so that they never run) ----------------------

# Media types served as uploaded (anything else: application/octet-stream).
SERVED_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "application/ofd",  # 版式文档 OFD (GB/T 33190), the government's own document format
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/zip",
    }
)
OCTET_STREAM = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")


def clean_media_type(content_type: str) -> str:
    """The uploader's media type without parameters, lower-cased; octet-stream when malformed."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type if _MEDIA_TYPE.match(media_type) else OCTET_STREAM


def served_media_type(stored: str) -> str:
    media_type = clean_media_type(stored)
    return media_type if media_type in SERVED_MEDIA_TYPES else OCTET_STREAM


def clean_filename(filename: str) -> str:
    """The base name, without control characters (NUL …), lone surrogates or path separators."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs", "Cf") or ch == "\u200d").strip()
    return name[:255] or "file"


def download_response(data: bytes, *, filename: str, content_type: str) -> Response:
    """An uploaded file, as a download: its own media type only when on :data:`SERVED_MEDIA_TYPES`,
    otherwise ``application/octet-stream``; never sniffed, never run in the API's origin (``nosniff``,
    a sandboxing CSP) — an uploaded ``text/html`` or ``image/svg+xml`` runs no script."""
    return Response(
        data,
        media_type=served_media_type(content_type),
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
