"""Process designer: models with versions, the modeler / DMN / form editors, deploy and diff."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request

from engine.errors import NotFound
from engine.identity import group_titles
from engine.versions import instances_by_version, version_rows
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page

DESIGNERS = ("process_designer", "admin")


def _versions(key: str) -> list[int]:
    versions = runtime().registry.versions(db.session).get(key)
    if not versions:
        raise NotFound(f"no process model '{key}'; see /designer for the deployed ones")
    return sorted(versions)


@bp.get("/designer")
@page(*DESIGNERS)
def designer():
    """Every process model with its versions and running instances."""
    from web.api.models import models_view

    models = runtime().registry.versions(db.session)
    usage = {key: instances_by_version(db.session, key) for key in models}
    status = {m["key"]: m for m in models_view()}
    return render_template(
        "designer.html", models=dict(sorted(models.items())), usage=usage, status=status
    )


@bp.get("/designer/<key>")
@page(*DESIGNERS)
def designer_model(key: str):
    """The modeler for the latest version (or ?version=) of a process model."""
    versions = _versions(key)
    version = request.args.get("version", versions[-1], type=int)
    if version not in versions:
        version = versions[-1]
    bundle = runtime().registry.get(db.session, key, version)
    return render_template(
        "designer_model.html",
        key=key,
        version=version,
        versions=versions,
        files=bundle.files,
        usage=instances_by_version(db.session, key),
        statuses={r.version: r.status for r in version_rows(db.session, key)},
        choices=modeler_choices(bundle),
        deployed=request.args.get("deployed", type=int),
        deployed_status=request.args.get("status", "active"),
    )


def modeler_choices(bundle: Any) -> dict[str, list[str]]:
    """What the properties panel offers: groups, forms, services, decisions, processes."""
    rt = runtime()
    return {
        "groups": sorted(group_titles(db.session)),
        "forms": sorted(bundle.forms),
        "services": sorted(rt.services.names()),
        "decisions": sorted(bundle.decisions),
        "processes": sorted(spec.name for spec in bundle.all_specs()),
    }


@bp.get("/designer/<key>/versions/<int:version>.json")
@page(*DESIGNERS)
def designer_version(key: str, version: int):
    """The files of one deployed version (for the diff and for reloading)."""
    if version not in _versions(key):
        raise NotFound(f"process model '{key}' has no version {version}")
    bundle = runtime().registry.get(db.session, key, version)
    return jsonify(key=key, version=version, files=bundle.files)


@bp.get("/designer/<key>/versions/<int:version>/activate")
@page(*DESIGNERS)
def review_version(key: str, version: int):
    """A draft's changes against the active version, with the admin's activate button."""
    from engine.versions import ACTIVATORS, diff_to_active
    from web.api.models import models_view
    from web.ui.access import page_user

    model = (models_view(key) or [None])[0]
    if model is None:
        raise NotFound(f"no process model '{key}'; see /designer for the deployed ones")
    detail = next((d for d in model["details"] if d["version"] == version), None)
    if detail is None:
        raise NotFound(f"process model '{key}' has no version {version}")
    user = page_user()
    may_activate = (
        detail["status"] == "draft"
        and bool(user.group_names & ACTIVATORS)
        and detail["created_by"] != user.username
    )
    return render_template(
        "designer_activate.html",
        key=key,
        detail=detail,
        diff=diff_to_active(runtime(), db.session, key, version),
        may_activate=may_activate,
        uploader_is_me=detail["created_by"] == user.username,
    )


@bp.post("/designer/<key>/versions/<int:version>/activate")
@page("admin")
def activate_version_page(key: str, version: int):
    """Activate a draft from the review screen (an admin who did not upload it)."""
    from flask import redirect, url_for

    from engine.versions import activate_version
    from web.runtime_access import actor

    activate_version(runtime(), db.session, key, version, actor())
    db.session.commit()
    return redirect(url_for("ui.review_version", key=key, version=version, activated=1))
