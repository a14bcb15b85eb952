"""/agent/notices: the signed-in staff user's own switch for agent notices (issue 18)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import users as user_domain
from portal.auth import role_required
from portal.extensions import db
from portal.web.agent import bp
from portal.web.agent.dashboard import STAFF
from portal.web.forms import ActionForm


@bp.post("/notices")
@role_required(*STAFF)
def agent_notices():
    if ActionForm().validate_on_submit():
        enabled = request.form.get("enabled") == "on"
        user_domain.set_agent_notices(db.session, current_user, enabled)
        db.session.commit()
        if enabled:
            flash(_("You will get an e-mail about each change to your appointments."), "success")
        else:
            flash(_("You will no longer get e-mails about your appointments."), "success")
    return redirect(url_for("agent.home"))
