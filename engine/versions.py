"""Model change control: deploy as draft or active, show the diff, activate (four-eyes, audited)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.actor import Actor
from engine.audit import AuditEntry, append
from engine.models import ProcessInstance, ProcessVersion, VersionStatus
from engine.runtime import Runtime

# Who reviews and activates drafts; a designer's upload of an active key waits for one of them.
ACTIVATORS = frozenset({"admin"})
DRAFTING = frozenset({"process_designer"})


@dataclass
class VersionDiff:
    """How a version differs from the active one, file by file (unified diffs)."""

    key: str
    version: int
    active_version: int | None
    changed: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Whether the files are identical."""
        return not (self.changed or self.added or self.removed)


def deploy_version(
    rt: Runtime,
    session: so.Session,
    files: dict[str, str],
    actor: Actor,
    warnings: list[str] | None = None,
) -> tuple[ProcessVersion, bool]:
    """Deploy a bundle; a process designer's new version of an active key is a draft.

    :param warnings: receives the deploy lint's warnings (generic forms, overlapping rows).
    """
    draft = bool(set(actor.groups) & DRAFTING)
    now = rt.clock.now()
    warnings = [] if warnings is None else warnings
    row, created = rt.registry.deploy(
        session, files, actor.username, now, warnings, draft_if_active=draft
    )
    if created:
        append(
            session,
            now,
            [
                AuditEntry(
                    actor.username,
                    "model_deployed",
                    data={
                        "key": row.process_key,
                        "version": row.version,
                        "status": row.status,
                        "files": sorted(files),
                        "warnings": warnings,
                    },
                )
            ],
        )
    return row, created


def diff_to_active(rt: Runtime, session: so.Session, key: str, version: int) -> VersionDiff:
    """The changes of a version against the key's active version."""
    row = rt.registry.row(session, key, version)
    active = session.scalar(
        sa.select(ProcessVersion).where(
            ProcessVersion.process_key == key, ProcessVersion.status == VersionStatus.ACTIVE.value
        )
    )
    old: dict[str, Any] = dict(active.files) if active is not None else {}
    new: dict[str, Any] = dict(row.files)
    out = VersionDiff(key, version, active.version if active is not None else None)
    out.added = sorted(set(new) - set(old))
    out.removed = sorted(set(old) - set(new))
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            out.changed[name] = "".join(
                difflib.unified_diff(
                    old[name].splitlines(keepends=True),
                    new[name].splitlines(keepends=True),
                    f"v{out.active_version}/{name}",
                    f"v{version}/{name}",
                )
            )
    return out


def activate_version(
    rt: Runtime, session: so.Session, key: str, version: int, actor: Actor
) -> ProcessVersion:
    """Activate a draft (an admin who did not upload it); audited with the version it replaces."""
    now = rt.clock.now()
    diff = diff_to_active(rt, session, key, version)
    row, previous = rt.registry.activate(session, key, version, actor.username, now)
    append(
        session,
        now,
        [
            AuditEntry(
                actor.username,
                "model_activated",
                data={
                    "key": key,
                    "version": version,
                    "uploaded_by": row.created_by,
                    "replaces": previous.version if previous is not None else None,
                    "files_changed": sorted(diff.changed),
                    "files_added": diff.added,
                    "files_removed": diff.removed,
                },
            )
        ],
    )
    return row


def version_rows(session: so.Session, key: str | None = None) -> list[ProcessVersion]:
    """Deployed versions (of one key), by key and version."""
    query = sa.select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version)
    if key is not None:
        query = query.where(ProcessVersion.process_key == key)
    return list(session.scalars(query))


def instances_by_version(session: so.Session, key: str) -> dict[int, dict[str, int]]:
    """How many instances of each version of a model exist, by status."""
    rows = session.execute(
        sa.select(ProcessInstance.version, ProcessInstance.status, sa.func.count())
        .where(ProcessInstance.process_key == key)
        .group_by(ProcessInstance.version, ProcessInstance.status)
    )
    out: dict[int, dict[str, int]] = {}
    for version, status, count in rows:
        out.setdefault(version, {})[status] = count
    return out
