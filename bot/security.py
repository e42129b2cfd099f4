"""Who is calling the REST API: a bearer token (`kentongan token create`) names an active staff member.

401 (with `WWW-Authenticate: Bearer`) without a valid token; 403 for a role without the right. The
token is looked up by its SHA-256 in a short read of its own, so the answer does not depend on the
request's transaction.
"""

from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.auth import hash_token
from bot.deps import EngineDep
from models import ApiToken, Role, Staff
from models.errors import Forbidden

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="ktg_...",
    description="A token printed once by `kentongan token create --village CODE --role ROLE --name NAME`.",
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The staff member behind a token: a role in one village, or the operator of every village."""

    staff_id: int
    name: str
    role: Role
    village_id: int | None  # None: the operator

    @property
    def actor(self) -> str:
        """How actions are recorded: 'kader:3'."""
        return f"{self.role.value}:{self.staff_id}"


def authenticate(engine: Engine, token: str) -> Principal | None:
    """The active staff member holding this unrevoked token, or None."""
    with Session(engine) as session:
        staff = session.exec(
            select(Staff)
            .join(ApiToken, col(ApiToken.staff_id) == col(Staff.id))
            .where(
                ApiToken.token_hash == hash_token(token),
                col(ApiToken.revoked_at).is_(None),
                col(Staff.active).is_(True),
            )
        ).first()
    if staff is None or staff.id is None:
        return None
    return Principal(staff.id, staff.name, staff.role, staff.village_id)


def _unauthorized(message: str) -> HTTPException:
    # Not a KentonganError: the one handler in bot/app.py answers without headers, and a 401 must name
    # the scheme it wants (RFC 9110 section 11.6.1). FastAPI's own handler answers {"detail": ...} too.
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


PRINCIPAL = "principal"  # where bot.limits leaves the caller it checked before the body (request state)


def current_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    engine: EngineDep,
) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; 401 without a valid one (looked up once a
    request: bot.limits checks the token before the body and leaves the answer here)."""
    checked: Principal | None = getattr(request.state, PRINCIPAL, None)
    if checked is not None:
        return checked
    if credentials is None:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    principal = authenticate(engine, credentials.credentials)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    return principal


StaffDep = Annotated[Principal, Depends(current_staff)]


def allow(roles: Collection[Role], what: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only `roles`; 403 names what the others may not do."""
    allowed = frozenset(roles)

    async def check(staff: StaffDep) -> Principal:  # no I/O: no thread hop
        if staff.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"role {staff.role.value} may not {what} (allowed: {names})")
        return staff

    return check
