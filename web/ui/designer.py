"""Process designer: models with versions, the modeler / DMN / form editors, deploy and diff."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify, render_template, request

from engine.errors import NotFound
from engine.identity import group_titles
from engine.models import ProcessInstance
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page

DESIGNERS = ("process_designer", "admin")


def instances_by_version(key: str) -> dict[int, dict[str, int]]:
    """How many instances of each version exist, by status."""
    rows = db.session.execute(
        sa.select(ProcessInstance.version, ProcessInstance.status, sa.func.count())
        .where(ProcessInstance.process_key == key)
        .group_by(ProcessInstance.version, ProcessInstance.status)
    )
    out: dict[int, dict[str, int]] = {}
    for version, status, count in rows:
        out.setdefault(version, {})[status] = count
    return out


def _versions(key: str) -> list[int]:
    versions = runtime().registry.versions(db.session).get(key)
    if not versions:
        raise NotFound(f"no process model '{key}'; see /designer for the deployed ones")
    return sorted(versions)


@bp.get("/designer")
@page(*DESIGNERS)
def designer():
    """Every process model with its versions and running instances."""
    models = runtime().registry.versions(db.session)
    usage = {key: instances_by_version(key) for key in models}
    return render_template("designer.html", models=dict(sorted(models.items())), usage=usage)


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
        usage=instances_by_version(key),
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
