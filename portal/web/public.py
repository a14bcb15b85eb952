"""Public pages anyone can open."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from portal.extensions import db
from portal.models import Service

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    services = db.session.scalars(
        select(Service).where(Service.active.is_(True)).order_by(Service.name)
    ).all()
    return render_template("public/index.html", services=services)
