"""/admin: an overview with a card per section."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from portal.admin.outbox import status_counts
from portal.admin.users import MANAGED_ROLES
from portal.extensions import db
from portal.models import ApiToken, Service, User
from portal.web.admin import bp


@bp.get("")
def home():
    users = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role.in_(MANAGED_ROLES), User.active.is_(True))
    )
    services = db.session.scalar(
        select(func.count()).select_from(Service).where(Service.active.is_(True))
    )
    unverified = db.session.scalar(
        select(func.count())
        .select_from(Service)
        .where(Service.sender_email.is_not(None), Service.sender_verified.is_(False))
    )
    tokens = db.session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
    )
    return render_template(
        "admin/home.html",
        users=users,
        services=services,
        unverified=unverified,
        tokens=tokens,
        outbox=status_counts(db.session),
    )
