"""Process registry: validate and deploy bundles as immutable versions; cache parsed specs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask

from engine.clock import to_db
from engine.collaborations import initiating_pool
from engine.decisions import FailClosedDMNEngine, lint_table
from engine.dmn_lint import cell_problems, overlap_warnings
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.form_inputs import form_keys, isolate_forms
from engine.lint import refuse_call_cycles, sandbox_problems
from engine.models import ProcessVersion, VersionStatus
from engine.serializer import state_serializer
from engine.timer_events import timer_parser_overrides, timer_serializer_config

_UNSAFE_XML = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
FORM_SUFFIX = ".form.json"


def _active_version_select(key: Any) -> sa.Select[tuple[int]]:
    return (
        sa.select(ProcessVersion.version)
        .where(
            ProcessVersion.process_key == key,
            ProcessVersion.status == VersionStatus.ACTIVE.value,
        )
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )


def active_version(key: str) -> sa.ScalarSelect[int]:
    """The active version number of a process, as a scalar subquery for a caller's statement."""
    return _active_version_select(key).scalar_subquery()


class CreditflowParser(SpiffBpmnParser):
    """Spiff's parser, with decision tables that fail closed and timers on the engine clock."""

    OVERRIDE_PARSER_CLASSES = timer_parser_overrides()

    def get_engine(self, decision_ref: str, node: Any) -> FailClosedDMNEngine:
        """Build the fail-closed DMN engine of a business rule task."""
        return FailClosedDMNEngine(super().get_engine(decision_ref, node).decision_table)


@dataclass
class Bundle:
    """A parsed, deployed process version."""

    key: str
    version: int
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, dict[str, Any]]
    decisions: dict[str, Any]
    files: dict[str, str]
    serializer: BpmnWorkflowSerializer = field(repr=False)

    def form(self, form_key: str | None) -> dict[str, Any] | None:
        """The form-js schema of a form key."""
        return self.forms.get(form_key or "")

    def all_specs(self) -> list[Any]:
        """The top spec and every called spec."""
        return [self.spec, *self.subprocess_specs.values()]


def task_properties(task_spec: Any) -> dict[str, str]:
    """The spiffworkflow:properties of a task spec."""
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))


def form_key_of(task_spec: Any) -> str:
    """The form key of a user task: its formKey property, else its id."""
    return task_properties(task_spec).get("formKey") or task_spec.name


def form_inputs(task_spec: Any) -> frozenset[str]:
    """Form fields the model maps explicitly from the process data (property formInputs)."""
    raw = task_properties(task_spec).get("formInputs") or ""
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def _file_text(name: str, content: bytes | str) -> str:
    raw = content.encode() if isinstance(content, str) else content
    if _UNSAFE_XML.search(raw):
        raise Invalid.field(name, "DOCTYPE and entity declarations are not allowed")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.field(name, "the file is not UTF-8 text") from None


def content_hash(files: dict[str, str]) -> str:
    """Hash of a bundle's files, independent of their order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def parse_bundle(
    files: dict[str, str],
    service_names: set[str],
    timer_config: dict | None = None,
    form_check: Callable[[dict[str, Any]], Any] | None = None,
    warnings: list[str] | None = None,
) -> tuple[str, Any, dict, dict, dict]:
    """Parse and lint a bundle; return (key, spec, subprocess specs, forms, decisions).

    :param form_check: compiles a form-js schema, raising on one the server cannot validate.
    :param warnings: given at deploy: the deploy-only checks run (recursive calls, every
        expression under the sandbox policy, DMN overlaps) and the warnings are added to it.
        A stored version is loaded without them, so a stricter check never strands it.
    """
    parser = CreditflowParser(validator=VALIDATOR)
    forms: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for name, text in files.items():
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_str(text.encode(), filename=name)
            elif name.endswith(".dmn"):
                parser.add_dmn_str(text.encode(), filename=name)
            elif name.endswith(FORM_SUFFIX):
                forms[name[: -len(FORM_SUFFIX)]] = json.loads(text)
                if form_check is not None:
                    form_check(forms[name[: -len(FORM_SUFFIX)]])
            else:
                errors.setdefault(name, []).append("only *.bpmn, *.dmn and *.form.json files")
        except (ValidationException, SpiffWorkflowException, ValueError, SyntaxError) as exc:
            # SyntaxError covers lxml's XMLSyntaxError; ValueError covers JSON and form errors.
            errors.setdefault(name, []).append(_describe(exc))
        except Exception as exc:  # a form checker's own error type
            errors.setdefault(name, []).append(str(exc).split("\n")[0] or type(exc).__name__)
    if errors:
        raise Invalid("the bundle has invalid files", errors)
    called = set(parser.get_process_dependencies())
    tops = [pid for pid in parser.get_process_ids() if pid not in called]
    if warnings is not None:
        refuse_call_cycles(parser)
    if not tops:
        raise Invalid.field("files", "expected one executable top-level process, found none")
    try:
        if len(tops) == 1:
            key = tops[0]
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        else:  # several pools: deployed under the initiating one, run as a collaboration
            collaboration, key = initiating_pool(parser, tops)
            spec, subprocess_specs = parser.get_collaboration(collaboration)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise Invalid("the bundle does not parse", {_where(exc): [_describe(exc)]}) from None
    decisions = {}
    for decision_id, dmn_parser in parser.dmn_parsers.items():
        try:
            dmn_parser.parse()
            table = dmn_parser.decision.decisionTables[0]
        except (ValidationException, SpiffWorkflowException, ValueError, IndexError) as exc:
            errors.setdefault(dmn_parser.filename or decision_id, []).append(_describe(exc))
            continue
        where = dmn_parser.filename or decision_id
        for problem in lint_table(table):
            errors.setdefault(where, []).append(f"{decision_id}: {problem}")
        if warnings is not None:
            errors.setdefault(where, []).extend(cell_problems(table, decision_id))
            warnings.extend(f"{where}: {w}" for w in overlap_warnings(table, decision_id))
        decisions[decision_id] = FailClosedDMNEngine(table)
    generated = []
    for sub in [spec, *subprocess_specs.values()]:
        for task_spec in sub.task_specs.values():
            generated += _lint_task(task_spec, forms, service_names, errors, sub.file)
    if warnings is not None:
        warnings.extend(generated)
        for where, problems in sandbox_problems([spec, *subprocess_specs.values()]).items():
            errors.setdefault(where, []).extend(problems)
    errors = {where: problems for where, problems in errors.items() if problems}
    if errors:
        raise Invalid("the bundle failed validation", errors)
    return key, spec, subprocess_specs, forms, decisions


# Task properties the engine reads as whole numbers, with their allowed range.
WHOLE_NUMBER_PROPERTIES = {"dueInBusinessDays": (0, 365), "priority": (0, 100)}


def _lint_task(
    task_spec: Any, forms: dict, services: set[str], errors: dict, file: str
) -> list[str]:
    """Check one task spec; return warnings (a user task without a form gets a generic one)."""
    where = file or "bundle"
    warnings = []
    if isinstance(task_spec, UserTask) and form_key_of(task_spec) not in forms:
        forms[form_key_of(task_spec)] = generic_form(task_spec)
        warnings.append(
            f"{where}: user task '{task_spec.name}' has no form "
            f"'{form_key_of(task_spec)}{FORM_SUFFIX}'; it gets a generic one (its context and "
            "a Complete button)"
        )
    props = task_properties(task_spec)
    for name, (low, high) in WHOLE_NUMBER_PROPERTIES.items():
        value = str(props.get(name, "0")).strip()
        if value and not (value.isdigit() and low <= int(value) <= high):
            errors.setdefault(where, []).append(
                f"task '{task_spec.name}': {name} must be a whole number from {low} to {high}, "
                f"not {props.get(name)!r}"
            )
    if isinstance(task_spec, ServiceTask) and task_spec.operation_name not in services:
        errors.setdefault(where, []).append(
            f"service task '{task_spec.name}' calls unknown operation '{task_spec.operation_name}'"
        )
    if isinstance(task_spec, SubWorkflowTask) and not task_spec.spec:
        errors.setdefault(where, []).append(f"call activity '{task_spec.name}' names no process")
    return warnings


def generic_form(task_spec: Any) -> dict[str, Any]:
    """The form of a user task that has none: what it is about, and nothing to fill in."""
    title = task_spec.bpmn_name or task_spec.name
    return {
        "type": "default",
        "id": f"generic_{task_spec.name}",
        "generated": True,
        "components": [
            {
                "type": "text",
                "id": f"generic_{task_spec.name}_text",
                "text": f"### {title}\n\nThis task has no form of its own: check the case "
                "and complete it.\n\n此任务没有专用表单：请核对案件信息后完成。",
            }
        ],
    }


def _describe(exc: Exception) -> str:
    line = getattr(exc, "line_number", "")
    text = str(exc).split("\n")[0]
    return f"{text} (line {line})" if line else text


def _where(exc: Exception) -> str:
    return getattr(exc, "file_name", "") or "files"


class Registry:
    """Deployed versions, parsed once per process and cached by (key, version)."""

    def __init__(
        self,
        service_names: Any,
        serializer_config: dict | None = None,
        form_check: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        self._service_names = service_names
        self._form_check = form_check
        self._config = serializer_config or timer_serializer_config()
        self._cache: dict[tuple[str, int], Bundle] = {}
        self._lock = threading.Lock()

    def read_files(self, uploads: dict[str, bytes | str]) -> dict[str, str]:
        """Decode uploaded files, refusing DOCTYPE / entity declarations."""
        return {name: _file_text(name, content) for name, content in uploads.items()}

    def deploy(
        self,
        session: so.Session,
        files: dict[str, str],
        user: str,
        now: dt.datetime,
        warnings: list[str] | None = None,
        draft_if_active: bool = False,
    ) -> tuple[ProcessVersion, bool]:
        """Validate and store a new version; an unchanged bundle returns the latest (False).

        :param warnings: receives the lint warnings (generic forms, overlapping DMN rows).
        :param draft_if_active: store the version as a draft when the key already has an
            active version (change control: another person activates it); else it is active.
        """
        key, spec, subs, forms, decisions = parse_bundle(
            files,
            self._service_names(),
            form_check=self._form_check,
            warnings=[] if warnings is None else warnings,
        )
        digest = content_hash(files)
        latest = self._latest_row(session, key)
        if latest is not None and latest.content_hash == digest:
            return latest, False
        active = self._active_row(session, key)
        row = ProcessVersion(
            process_key=key,
            version=(latest.version + 1) if latest else 1,
            content_hash=digest,
            files=files,
            created_at=to_db(now),
            created_by=user,
            status=VersionStatus.DRAFT if draft_if_active and active else VersionStatus.ACTIVE,
        )
        if row.status == VersionStatus.ACTIVE:
            row.activated_by, row.activated_at = user, to_db(now)
            if active is not None:
                active.status = VersionStatus.SUPERSEDED.value
        session.add(row)
        session.flush()
        self._remember(row, spec, subs, forms, decisions)
        return row, True

    def activate(
        self, session: so.Session, key: str, version: int, user: str, now: dt.datetime
    ) -> tuple[ProcessVersion, ProcessVersion | None]:
        """Make a draft the version new instances start; return it and the one it replaces.

        :raises Forbidden: when the user uploaded the draft (four-eyes on model changes).
        :raises Conflict: when the version is not a draft.
        """
        row = self.row(session, key, version)
        if row.status != VersionStatus.DRAFT:
            raise Conflict(f"{key} v{version} is {row.status}, not a draft")
        if row.created_by == user:
            raise Forbidden(f"{user} uploaded {key} v{version}; another admin must activate it")
        previous = self._active_row(session, key)
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED.value
        row.status, row.activated_by, row.activated_at = VersionStatus.ACTIVE, user, to_db(now)
        session.flush()
        return row, previous

    def row(self, session: so.Session, key: str, version: int) -> ProcessVersion:
        """The stored version row."""
        row = session.scalar(
            sa.select(ProcessVersion).where(
                ProcessVersion.process_key == key, ProcessVersion.version == version
            )
        )
        if row is None:
            raise NotFound(f"process model '{key}' has no version {version}")
        return row

    def _active_row(self, session: so.Session, key: str) -> ProcessVersion | None:
        return session.scalar(
            sa.select(ProcessVersion)
            .where(
                ProcessVersion.process_key == key,
                ProcessVersion.status == VersionStatus.ACTIVE.value,
            )
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )

    def _latest_row(self, session: so.Session, key: str) -> ProcessVersion | None:
        return session.scalar(
            sa.select(ProcessVersion)
            .where(ProcessVersion.process_key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )

    def latest(self, session: so.Session, key: str, version: int | None = None) -> Bundle:
        """The version new instances start: the active one (drafts wait for activation).

        :param version: the active version number when the caller read it already
            (``active_version`` in its own statement); None reads it here.
        """
        if version is None:
            version = session.execute(_ACTIVE_VERSION, {"key": key}).scalar()
            if version is None:
                raise NotFound(
                    f"no process model '{key}' is deployed (see GET /api/v1/process-models)"
                )
        return self.get(session, key, version)

    def get(self, session: so.Session, key: str, version: int) -> Bundle:
        """A specific version, parsed on first use."""
        bundle = self._cache.get((key, version))
        if bundle is not None:
            return bundle
        row = session.scalar(
            sa.select(ProcessVersion).where(
                ProcessVersion.process_key == key, ProcessVersion.version == version
            )
        )
        if row is None:
            raise NotFound(f"process model '{key}' has no version {version}")
        _, spec, subs, forms, decisions = parse_bundle(row.files, self._service_names())
        return self._remember(row, spec, subs, forms, decisions)

    def _remember(
        self, row: ProcessVersion, spec: Any, subs: dict, forms: dict, decisions: dict
    ) -> Bundle:
        bundle = Bundle(
            key=row.process_key,
            version=row.version,
            spec=spec,
            subprocess_specs=subs,
            forms=forms,
            decisions=decisions,
            files=row.files,
            serializer=state_serializer(spec, subs, self._config),
        )
        isolate_forms(
            bundle.all_specs(),
            lambda task_spec: form_keys(forms.get(form_key_of(task_spec))) - form_inputs(task_spec),
        )
        with self._lock:
            self._cache[(row.process_key, row.version)] = bundle
        return bundle

    def versions(self, session: so.Session) -> dict[str, list[int]]:
        """Every deployed key with its versions, oldest first."""
        rows = session.execute(
            sa.select(ProcessVersion.process_key, ProcessVersion.version).order_by(
                ProcessVersion.process_key, ProcessVersion.version
            )
        )
        out: dict[str, list[int]] = {}
        for key, version in rows:
            out.setdefault(key, []).append(version)
        return out


# The active version's number only (its row carries every file of the bundle); most steps and
# every credit check ask it, so it is built once.
_ACTIVE_VERSION = _active_version_select(sa.bindparam("key"))
