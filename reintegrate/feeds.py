"""Feeds listed in configuration (a TOML file) for the scheduler to import on a schedule."""

from __future__ import annotations

import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from reintegrate.config import ConfigError

FETCH_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class FeedConfig:
    """One configured feed: where to read it, what it holds, how often."""

    source: str
    kind: str
    every_hours: float
    full: bool = False
    path: Path | None = None
    url: str | None = None
    employer: str | None = None

    @property
    def filename(self) -> str:
        if self.path is not None:
            return self.path.name
        return Path(urlsplit(self.url or "").path).name or "feed"


def load_feeds(path: Path | str | None) -> list[FeedConfig]:
    """Read `[[feeds]]` entries; a bad entry is a ConfigError naming it and the field."""
    if path is None or not Path(path).exists():
        return []
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    entries = document.get("feeds", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: feeds must be a list of [[feeds]] tables")
    feeds, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: feed #{number}: must be a [[feeds]] table")
        feed = _feed(entry, f"{path}: feed #{number}", path.parent)
        if feed.source in seen:
            raise ConfigError(f"{path}: feed #{number}: source {feed.source!r} is listed twice")
        seen.add(feed.source)
        feeds.append(feed)
    return feeds


def _feed(entry: dict[str, Any], where: str, folder: Path) -> FeedConfig:
    """One entry; a relative path is read from the feeds file's folder, wherever the
    scheduler was started."""
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip() or len(source) > 100:
        raise ConfigError(f"{where}: source must be a name of 1 to 100 characters")
    kind = entry.get("kind", "job")
    if kind not in ("job", "incentive"):
        raise ConfigError(f"{where}: kind must be job or incentive")
    every = entry.get("every_hours", 24)
    if (
        not isinstance(every, int | float)
        or isinstance(every, bool)
        or not 0.05 <= every <= 24 * 31
    ):
        raise ConfigError(f"{where}: every_hours must be a number between 0.05 and 744")
    path, url = entry.get("path"), entry.get("url")
    if (path is None) == (url is None):
        raise ConfigError(f"{where}: give exactly one of path or url")
    if url is not None and (
        not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
    ):
        raise ConfigError(f"{where}: url must be an http or https address")
    if path is not None and (not isinstance(path, str) or not path.strip()):
        raise ConfigError(f"{where}: path must be the name of a file")
    if not isinstance(entry.get("full", False), bool):
        raise ConfigError(f"{where}: full must be true or false")
    employer = entry.get("employer")
    if employer is not None and (
        not isinstance(employer, str) or not employer.strip() or len(employer) > 200
    ):
        raise ConfigError(f"{where}: employer must be a name of 1 to 200 characters")
    unknown = set(entry) - {"source", "kind", "every_hours", "full", "path", "url", "employer"}
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(sorted(unknown))}")
    return FeedConfig(
        source=source.strip(),
        kind=kind,
        every_hours=float(every),
        full=entry.get("full", False),
        path=folder / Path(path).expanduser() if path is not None else None,
        url=url,
        employer=entry.get("employer"),
    )


def open_feed(feed: FeedConfig, max_bytes: int) -> IO[bytes]:
    """The feed's bytes as a file: the local file itself, or a download kept in a temporary file."""
    if feed.path is not None:
        if feed.path.stat().st_size > max_bytes:
            raise ValueError(f"{feed.path} is larger than the import limit of {max_bytes:,} bytes")
        return feed.path.open("rb")
    if feed.url is None:
        raise ValueError(f"feed {feed.source} has neither a path nor a url")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    request = urllib.request.Request(  # noqa: S310  (scheme checked in load_feeds: http or https)
        feed.url, headers={"User-Agent": "Reintegrate feed importer"}
    )
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310  # http(s) only, checked in load_feeds  # nosec B310
        total = 0
        while chunk := response.read(64 * 1024):
            total += len(chunk)
            if total > max_bytes:
                spool.close()
                raise ValueError(
                    f"{feed.url} is larger than the import limit of {max_bytes:,} bytes"
                )
            spool.write(chunk)
    spool.seek(0)
    return spool
