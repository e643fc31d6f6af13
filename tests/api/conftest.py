"""API fixtures: bearer headers for users of each role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from reintegrate.models import User
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import make_user


@pytest.fixture
def bearer(db_session: Session) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        token = users.create_token(db_session, Actor.system("test"), user.email)
        db_session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def officer(db_session: Session) -> User:
    return make_user(db_session, provinces=["02", "01"])
