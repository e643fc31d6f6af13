"""Mapping errors to responses: JSON under /api/, an HTML page everywhere else."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from reintegrate.errors import DomainError, InvalidInput, NotReady, RuleBroken, TooManyAttempts
from reintegrate.extensions import api

API_PREFIX = "/api/"


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def _domain_error(error: DomainError):  # type: ignore[no-untyped-def]
    if _wants_json():
        body: dict[str, object] = {
            "code": error.status,
            "status": _status_name(error.status),
            "message": _(error.message) if error.message else "",
        }
        if isinstance(error, InvalidInput):
            body["errors"] = {"json": error.errors}
        if isinstance(error, RuleBroken):
            body["rule"] = error.rule
            body["message"] = _(error.message)
        response = jsonify(body)
        response.status_code = error.status
    else:
        message = _(error.message) if error.message else ""
        page = render_template("errors/error.html", status=error.status, message=message)
        response = make_response(page, error.status)
    if isinstance(error, TooManyAttempts | NotReady):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def _status_name(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    if _wants_json():
        payload, status, headers = api.handle_http_exception(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(sorted(error.valid_methods))}
        return payload, status, headers
    status = error.code or 500
    return render_template("errors/error.html", status=status, message=None), status


def _csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
    if _wants_json():
        return api.handle_http_exception(error)
    message = _("This form has expired or did not come from this site. Please try again.")
    return render_template("errors/error.html", status=400, message=message), 400


def init_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
