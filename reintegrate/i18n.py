"""Language choice: the user's saved preference, then the session's, then the browser's."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

LANGUAGES = {"en": "English", "km": "ខ្មែរ"}
DEFAULT_LANGUAGE = "en"


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE
