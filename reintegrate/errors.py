"""Domain exceptions raised by services and mapped to HTTP only at the edge."""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Unknown, or outside the actor's scope: the two are indistinguishable on purpose."""

    status = 404


class Forbidden(DomainError):
    """The actor's role may not do this at all."""

    status = 403


class Conflict(DomainError):
    """The request clashes with the record's current state."""

    status = 409


class RuleBroken(Conflict):
    """A safeguarding rule refuses the action; ``rule`` is its stable machine code, so clients
    can tell which rule said no without parsing the (translated) message."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, retry_after_seconds: int, message: str = "too many failed attempts") -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class TooManyQueries(TooManyAttempts):
    """More statistics queries in the last hour than a user may make."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(retry_after_seconds)
        self.message = N_(
            "You have asked for statistics too often in the last hour. Please try again later."
        )


class NotReady(DomainError):
    """Something a worker builds at start is not built yet; the client may ask again soon."""

    status = 503

    def __init__(self, retry_after_seconds: int, message: str) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(DomainError):
    """Field-level problems, keyed by field name, shown next to the field or as 422 JSON."""

    status = 422

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("invalid input")
        self.errors = dict(errors)
