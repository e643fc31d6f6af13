"""Static files by fingerprinted names with a year of caching, and gzip for text answers.

A page links `css/app.css` as `css/app.<digest>.css`: the name changes when the file does, so
a browser may keep it for a year without asking again. Pages and JSON are compressed for
clients that accept gzip (a provincial office's connection is slow, the CPU is not).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

YEAR_SECONDS = 365 * 24 * 3600
MIN_COMPRESS_BYTES = 500
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "image/svg+xml",
    }
)
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")


def _file(folder: Path, filename: str) -> Path:
    joined = safe_join(str(folder), filename)
    if joined is None or not Path(joined).is_file():
        abort(404)
    return Path(joined)


@lru_cache(maxsize=128)
def _content(path: Path, mtime_ns: int) -> tuple[bytes, bytes, str]:
    """The file's bytes, their gzip form and their digest, read once per version of the file."""
    data = path.read_bytes()
    return data, gzip.compress(data, mtime=0), hashlib.sha256(data).hexdigest()[:12]


def _read(path: Path) -> tuple[bytes, bytes, str]:
    return _content(path, path.stat().st_mtime_ns)


def fingerprinted(folder: Path, filename: str) -> str:
    """`css/app.css` as `css/app.<digest>.css`, or unchanged if there is no such file."""
    joined = safe_join(str(folder), filename)
    if joined is None or not Path(joined).is_file():
        return filename
    digest = _read(Path(joined))[2]
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem or "/" in ext:
        return filename
    return f"{stem}.{digest}.{ext}"


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def send_asset(folder: Path, filename: str) -> Response:
    """A static file: cached for a year under its current fingerprinted name, else revalidated.

    An outdated fingerprint (a page from before a deployment) still gets the current file.
    """
    match = _FINGERPRINTED.match(filename)
    joined = safe_join(str(folder), match["stem"] + match["ext"]) if match else None
    if match and joined is not None and Path(joined).is_file():
        path = Path(joined)
    else:
        path = _file(folder, filename)
    data, compressed, digest = _read(path)
    response = Response(mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    response.vary.add("Accept-Encoding")
    if _accepts_gzip() and response.mimetype in COMPRESSIBLE and len(data) > MIN_COMPRESS_BYTES:
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{digest}-gzip")
    else:
        response.set_data(data)
        response.set_etag(digest)
    if match and match["digest"] == digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def compress(response: Response) -> Response:
    """Gzip a text answer over 500 bytes when the client accepts it (never a file stream)."""
    if response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or request.method == "HEAD"
        or not _accepts_gzip()
    ):
        return response
    data = response.get_data()
    if len(data) <= MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("ETag", None)
    return response


def init_assets(app: Flask, folders: dict[str, Path]) -> None:
    """Serve the folders behind these endpoints (each with a `filename` argument) fingerprinted."""

    def fingerprint_urls(endpoint: str, values: dict[str, Any]) -> None:
        folder = folders.get(endpoint)
        if folder is not None and "filename" in values:
            values["filename"] = fingerprinted(folder, values["filename"])

    def static(filename: str) -> Response:
        return send_asset(folders["static"], filename)

    app.url_defaults(fingerprint_urls)
    app.view_functions["static"] = static
    app.after_request(compress)
