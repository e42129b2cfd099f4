"""API tokens: created once, shown once, stored as SHA-256."""

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, select

from handlers import audit
from handlers import staff as staff_people
from models import ApiToken, Role, Staff, Village, utcnow
from models.errors import BadRequest, NotFound

TOKEN_PREFIX = "ktg_"  # noqa: S105  (a prefix, not a secret)
CLI = audit.StaffActor(None, None, "cli")  # whoever holds the server's shell


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, village_code: str | None, role: Role, name: str) -> str:
    """Create (or reuse) the named staff member with this role and return a new token for them."""
    village_id: int | None = None
    if role != Role.OPERATOR:
        if not village_code:
            raise BadRequest(f"role {role} needs --village")
        village = session.exec(select(Village).where(Village.code == village_code)).first()
        if village is None:
            raise NotFound(f"no village with code {village_code}")
        village_id = village.id
    staff = staff_people.get_or_create_named(session=session, village_id=village_id, role=role, name=name)
    assert staff.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(staff_id=staff.id, token_hash=hash_token(token)))
    audit.record(
        session=session,
        actor=CLI,
        village_id=village_id,
        action="token.create",
        now=utcnow(),
        target=f"staff:{staff.id}",
        detail={"role": role},
    )
    return token


def revoke_token(*, session: Session, token: str, now: datetime) -> bool:
    """Revoke a token at once; False when it is unknown or already revoked."""
    stored = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if stored is None or stored.revoked_at is not None:
        return False
    stored.revoked_at = now
    staff = session.get(Staff, stored.staff_id)
    audit.record(
        session=session,
        actor=CLI,
        village_id=staff.village_id if staff else None,
        action="token.revoke",
        now=now,
        target=f"staff:{stored.staff_id}",
    )
    return True
