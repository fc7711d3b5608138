"""Hostile command-line arguments: every option of every command is a usage error when bad.

The commands are found by walking the Typer app ``lakestream`` (with its groups) and the argparse
parsers of the job entry points (``lakestream-<service>``, ``lakestream-maintain``,
``lakestream-selftest``, ``lakestream-reconcile``, ``lakestream-dlq-replay``), so a new option is
covered, and a new numeric option without bounds fails ``test_numeric_options_are_bounded`` (or
``test_job_numeric_options_are_bounded``). Bad values are parsed without running anything; a
sample also goes through ``run_app`` or the job function as a process would.
"""

from __future__ import annotations

import argparse
import enum
import math
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import pytest
import typer
import typer.main
from typer.models import ArgumentInfo, OptionInfo

from lakestream.common.jobs import entry
from lakestream.common.jobs.options import Bounded, JobParser
from lakestream.common.jobs.process import EXIT_USAGE, UsageError
from lakestream.dlq_replayer import job as dlq_job
from lakestream.dlq_replayer.selection import STATUSES
from lakestream.tooling.cli.audit_cmd import parse_since
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app

APPS: dict[str, typer.Typer] = {"lakestream": app}
JOBS: dict[str, tuple[Callable[[], JobParser], Callable[[list[str]], int]]] = {
    "lakestream-bronze": (
        lambda: entry.service_parser("bronze"),
        lambda a: entry.run_service("bronze", a),
    ),
    "lakestream-silver": (
        lambda: entry.service_parser("silver"),
        lambda a: entry.run_service("silver", a),
    ),
    "lakestream-gold": (
        lambda: entry.service_parser("gold"),
        lambda a: entry.run_service("gold", a),
    ),
    "lakestream-maintain": (entry.maintain_parser, entry.maintain_job),
    "lakestream-selftest": (entry.selftest_parser, entry.selftest_job),
    "lakestream-reconcile": (entry.reconcile_parser, entry.reconcile_job),
    "lakestream-dlq-replay": (dlq_job.replay_parser, dlq_job.replay_job),
}


@dataclass(frozen=True)
class Param:
    """One option (or argument) of one command."""

    script: str
    path: tuple[str, ...]
    name: str
    kind: type
    info: OptionInfo | ArgumentInfo
    choices: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join((self.script, *self.path, self.name))


def _base(annotation: Any) -> Any:
    """``X`` of ``X | None``."""
    if isinstance(annotation, types.UnionType) or get_origin(annotation) is not None:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) is not Literal and len(args) == 1:
            return _base(args[0])
    return annotation


def _commands(
    typer_app: typer.Typer, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Callable[..., Any]]]:
    single = (
        not path and len(typer_app.registered_commands) == 1 and not typer_app.registered_groups
    )
    for info in typer_app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.replace("_", "-")
        yield (path if single else (*path, name)), info.callback
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None and group.name is not None
        yield from _commands(group.typer_instance, (*path, group.name))


def _params() -> Iterator[Param]:
    for script, typer_app in APPS.items():
        for path, callback in _commands(typer_app, ()):
            for field, hint in get_type_hints(callback, include_extras=True).items():
                if get_origin(hint) is not Annotated:
                    continue
                annotation, *metadata = get_args(hint)
                info = next(m for m in metadata if isinstance(m, OptionInfo | ArgumentInfo))
                kind = _base(annotation)
                choices: tuple[str, ...] = ()
                if get_origin(kind) is Literal:
                    choices, kind = tuple(get_args(kind)), Literal
                elif isinstance(kind, type) and issubclass(kind, enum.Enum):
                    choices = tuple(str(member.value) for member in kind)
                decls = [d for d in (info.default, *(info.param_decls or ())) if isinstance(d, str)]
                name = next((d for d in decls if d.startswith("--")), field.upper())
                yield Param(script, path, name, kind, info, choices)


PARAMS = list(_params())
NUMERIC = [p for p in PARAMS if p.kind in (int, float)]
CHOICES = [p for p in PARAMS if p.choices]
PATHS = [p for p in PARAMS if p.kind is Path]
DATES = [p for p in PARAMS if p.kind is datetime]


def _usage_error(param: Param, value: str) -> tuple[int, str]:
    """Parse ``param`` = ``value`` (without running the command): exit code and message."""
    group = typer.main.get_command(APPS[param.script])
    command = group
    for part in param.path:
        command = command.commands[part]  # type: ignore[attr-defined]
    args = [value] if isinstance(param.info, ArgumentInfo) else [param.name, value]
    try:
        command.make_context(param.script, args)
    except Exception as exc:
        assert callable(getattr(exc, "format_message", None)), repr(exc)
        message = str(exc.format_message())  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", -1)), message
    return 0, ""


def _bad_numbers(param: Param) -> list[str]:
    info = param.info
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    values = ["abc", "", "--", "1,5"]
    values += [] if low is None else [str(low - 1 if param.kind is int else low - 0.5)]
    values += [] if high is None else [str(high + 1 if param.kind is int else high * 2)]
    values += ["9" * 40, "-" + "9" * 40]
    if param.kind is float:
        values += ["nan", "inf", "-inf", "1e400"]
    else:
        values += ["1.5", "1e3"]
    return values


# ---- policy: what every option must declare ---------------------------------------------------


@pytest.mark.unit
def test_the_walk_finds_every_command() -> None:
    found = {(p.script, *p.path) for p in PARAMS}
    for expected in [
        ("lakestream", "run"),
        ("lakestream", "demo"),
        ("lakestream", "config", "validate"),
        ("lakestream", "audit", "report"),
        ("lakestream", "events", "send"),
        ("lakestream", "checkpoint", "repair"),
        ("lakestream", "dlq", "replay"),
        ("lakestream", "dlq", "list"),
    ]:
        assert expected in found
    assert len(NUMERIC) >= 10 and len(CHOICES) >= 10 and len(PATHS) >= 10


@pytest.mark.unit
@pytest.mark.parametrize("param", NUMERIC, ids=str)
def test_numeric_options_are_bounded(param: Param) -> None:
    info = param.info
    assert getattr(info, "min", None) is not None, f"{param}: add min="
    assert getattr(info, "max", None) is not None, f"{param}: add max="


@pytest.mark.unit
@pytest.mark.parametrize("param", PATHS, ids=str)
def test_path_options_are_checked(param: Param) -> None:
    info = param.info
    checked = getattr(info, "exists", False) or info.callback is not None
    assert checked or getattr(info, "file_okay", True) is False, (
        f"{param}: use exists=True (input), a callback (output file) or file_okay=False (a "
        "directory that is created)"
    )


@pytest.mark.unit
def test_status_choices_match_the_dlq_statuses() -> None:
    assert {p.choices for p in CHOICES if p.name == "--status"} == {STATUSES}


# ---- behaviour: bad values are usage errors ---------------------------------------------------

NUMBER_CASES = [(p, value) for p in NUMERIC for value in _bad_numbers(p)]
CHOICE_CASES = [(p, value) for p in CHOICES for value in ("bogus", "", p.choices[0] + "x")]
PATH_CASES = [
    (p, value)
    for p in PATHS
    if getattr(p.info, "exists", False) or p.info.callback is not None
    for value in ("/nonexistent/lakestream/x" if getattr(p.info, "exists", False) else "/",)
]
DATE_CASES = [(p, value) for p in DATES for value in ("yesterday", "2024-13-01", "")]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("param", "value"),
    NUMBER_CASES + CHOICE_CASES + PATH_CASES + DATE_CASES,
    ids=[f"{p}={v!r}" for p, v in NUMBER_CASES + CHOICE_CASES + PATH_CASES + DATE_CASES],
)
def test_bad_value_is_a_usage_error(param: Param, value: str) -> None:
    code, message = _usage_error(param, value)
    assert code == EXIT_USAGE, f"{param}={value!r} was accepted"
    assert param.name in message or value == "", message


@pytest.mark.unit
@pytest.mark.parametrize("param", NUMERIC, ids=str)
def test_bounds_themselves_are_accepted(param: Param) -> None:
    info = param.info
    for value in (getattr(info, "min", None), getattr(info, "max", None)):
        assert value is not None and math.isfinite(value)
        code, message = _usage_error(param, str(value))
        assert code in (0, EXIT_USAGE)
        assert param.name not in message, message


# ---- behaviour through run_app, as the console scripts run ----------------------------------

MISSING = "/nonexistent/lakestream/config"
SCRIPT_CASES = [
    ("lakestream", ["run", "--layer", "platinum"], "'--layer'"),
    ("lakestream", ["run", "--source", "ftp"], "'--source'"),
    ("lakestream", ["run", "--telemetry", "jaeger"], "'--telemetry'"),
    ("lakestream", ["run", "--config-dir", MISSING], "'--config-dir'"),
    ("lakestream", ["run", "--env", "Bad Env", "--once"], "--env"),
    ("lakestream", ["run", "--once", "extra"], "unexpected extra argument"),
    ("lakestream", ["run", "--bogus"], "--bogus"),
    ("lakestream", ["demo", "--events", "0"], "'--events'"),
    ("lakestream", ["demo", "--events", "many"], "'--events'"),
    ("lakestream", ["demo", "--seed", "-1"], "'--seed'"),
    ("lakestream", ["demo", "--files", "100000"], "'--files'"),
    ("lakestream", ["demo", "--source", "kafka"], "'--source'"),
    ("lakestream", ["config", "validate", "--config-dir", MISSING], "'--config-dir'"),
    ("lakestream", ["config", "validate", "--config-dir", "README.md"], "'--config-dir'"),
    ("lakestream", ["audit", "report", "--since", "yesterday"], "--since"),
    ("lakestream", ["audit", "report", "--since", "99999999999d"], "--since"),
    ("lakestream", ["audit", "report", "--html", "."], "'--html'"),
    ("lakestream", ["audit", "report", "--html", "README.md/r.html"], "'--html'"),
    ("lakestream", ["audit", "reconcile", "--since", "-5m"], "--since"),
    ("lakestream", ["events", "send", "--rate", "nan"], "'--rate'"),
    ("lakestream", ["events", "send", "--rate", "inf"], "'--rate'"),
    ("lakestream", ["events", "send", "--retries", "-1"], "'--retries'"),
    ("lakestream", ["events", "send", "--file", "/nonexistent/lakestream/x.jsonl"], "'--file'"),
    ("lakestream", ["checkpoint", "repair"], "'--layer'"),
    ("lakestream", ["checkpoint", "status", "--layer", "diamond"], "'--layer'"),
    ("lakestream", ["dlq", "list", "--limit", "0"], "'--limit'"),
    ("lakestream", ["dlq", "list", "--version", "0"], "'--version'"),
    ("lakestream", ["dlq", "list", "--stage", "gold"], "'--stage'"),
    ("lakestream", ["dlq", "list", "--reason", "BORED"], "'--reason'"),
    ("lakestream", ["dlq", "list", "--status", "lost"], "'--status'"),
    ("lakestream", ["dlq", "replay", "--since", "2024-02-30"], "'--since'"),
    ("lakestream", ["dlq", "show"], "Missing argument 'dlq_id'"),
    ("lakestream", ["nothing"], "nothing"),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("script", "args", "named"), SCRIPT_CASES, ids=[" ".join(c[1]) for c in SCRIPT_CASES]
)
def test_script_exits_2_with_usage(
    script: str, args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_app(APPS[script], args)
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE, out + err
    assert named in err, err
    assert "Traceback" not in out + err


@pytest.mark.unit
def test_since_spans_too_far_back_are_refused() -> None:
    with pytest.raises(typer.BadParameter, match="before year 1"):
        parse_since("99999999999d")
    assert parse_since("30m", datetime(2024, 1, 1, 1, 0)) == datetime(2024, 1, 1, 0, 30)


@pytest.mark.unit
def test_settings_from_the_environment_stay_config_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAKESTREAM_ENV", "Bad Env")
    code = run_app(app, ["checkpoint", "status"])
    err = capsys.readouterr().err
    assert code == 1
    assert "LAKESTREAM_ENV" in err and "Traceback" not in err


@pytest.mark.unit
def test_config_dir_default_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = run_app(app, ["config", "validate"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "'config' does not exist" in err


# ---- the job entry points (argparse) --------------------------------------------------------


@dataclass(frozen=True)
class JobOption:
    """One option of one job entry point (a sub-command's options name the sub-command)."""

    script: str
    command: tuple[str, ...]
    name: str
    action: argparse.Action

    def __str__(self) -> str:
        return " ".join((self.script, *self.command, self.name))


def _job_options() -> Iterator[JobOption]:
    for script, (parser_of, _) in JOBS.items():
        stack: list[tuple[tuple[str, ...], argparse.ArgumentParser]] = [((), parser_of())]
        while stack:
            command, parser = stack.pop()
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    stack += [((*command, n), p) for n, p in action.choices.items()]
                elif action.option_strings and action.dest != "help":
                    yield JobOption(script, command, action.option_strings[0], action)


JOB_OPTIONS = list(_job_options())
JOB_VALUED = [o for o in JOB_OPTIONS if o.action.nargs is None and o.action.const is None]


def _job_error(option: JobOption, value: str) -> str | None:
    """Parse ``option`` = ``value`` alone: the usage error's message, or None when accepted."""
    try:
        JOBS[option.script][0]().parse_args([*option.command, f"{option.name}={value}"])
    except UsageError as exc:
        return str(exc)
    return None


@pytest.mark.unit
def test_the_walk_finds_every_job_option() -> None:
    found = {str(o) for o in JOB_OPTIONS}
    for expected in [
        "lakestream-bronze --once",
        "lakestream-gold --source",
        "lakestream-maintain --retention-hours",
        "lakestream-selftest --wait-for-jobs",
        "lakestream-reconcile --since",
        "lakestream-dlq-replay replay --status",
    ]:
        assert expected in found
    assert {o.script for o in JOB_OPTIONS} == set(JOBS)


@pytest.mark.unit
@pytest.mark.parametrize("option", JOB_VALUED, ids=str)
def test_job_options_are_checked(option: JobOption) -> None:
    """A valued option is free text (an id, a name, a root), or is checked: choices or a type."""
    free = {"--root", "--env", "--source-path", "--tenant", "--event-type"}
    kind = option.action.type
    assert option.name in free or option.action.choices or kind is not None, (
        f"{option}: give it choices= or a checking type="
    )
    if kind is int:
        raise AssertionError(f"{option}: use type=Bounded(low, high)")


JOB_CASES = [
    (o, value)
    for o in JOB_VALUED
    for value in (
        [str(o.action.type.low - 1), str(o.action.type.high + 1), "abc", "1.5", ""]
        if isinstance(o.action.type, Bounded)
        else ["bogus", ""]
        if o.action.choices
        else ["/nonexistent/lakestream/x"]
        if o.name == "--config-dir"
        else ["yesterday", "2024-02-30"]
        if o.name in ("--since", "--until")
        else []
    )
]


@pytest.mark.unit
@pytest.mark.parametrize(("option", "value"), JOB_CASES, ids=[f"{o}={v!r}" for o, v in JOB_CASES])
def test_bad_job_value_is_a_usage_error(option: JobOption, value: str) -> None:
    message = _job_error(option, value)
    assert message is not None, f"{option}={value!r} was accepted"
    assert option.name in message and "--help" in message, message


@pytest.mark.unit
@pytest.mark.parametrize(
    "option", [o for o in JOB_VALUED if isinstance(o.action.type, Bounded)], ids=str
)
def test_job_bounds_themselves_are_accepted(option: JobOption) -> None:
    bounds = option.action.type
    assert isinstance(bounds, Bounded)
    for value in (bounds.low, bounds.high):
        assert _job_error(option, str(value)) is None


JOB_SCRIPT_CASES = [
    ("lakestream-bronze", ["--once", "--telemetry", "x"], "--telemetry"),
    ("lakestream-gold", ["--layer", "gold"], "--layer"),
    ("lakestream-silver", ["--config-dir", MISSING], "--config-dir"),
    ("lakestream-silver", ["--env", "Bad Env", "--once"], "--env"),
    ("lakestream-bronze", ["--once", "extra"], "extra"),
    ("lakestream-maintain", ["--layer", "platinum"], "--layer"),
    ("lakestream-maintain", ["--retention-hours", "-1"], "--retention-hours"),
    ("lakestream-selftest", ["--wait", "many"], "--wait"),
    ("lakestream-selftest", ["--run-layers", "--wait-for-jobs"], "--wait-for-jobs"),
    ("lakestream-reconcile", ["--since", "last week"], "--since"),
    ("lakestream-dlq-replay", ["replay", "--limit", "-3"], "--limit"),
    ("lakestream-dlq-replay", ["replay", "--reason", "BORED"], "--reason"),
    ("lakestream-dlq-replay", ["list"], "'list'"),
    ("lakestream-dlq-replay", [], "replay"),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("script", "args", "named"),
    JOB_SCRIPT_CASES,
    ids=[" ".join((c[0], *c[1])) for c in JOB_SCRIPT_CASES],
)
def test_job_exits_2_with_usage(
    script: str, args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = JOBS[script][1](args)
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE, out + err
    assert named in err and "fix:" in err, err
    assert "Traceback" not in out + err


@pytest.mark.unit
def test_job_usage_errors_redact_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    code = entry.run_service("bronze", ["--source-path=x?sig=hunter2", "--bogus=SharedAccessKey=k"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "--bogus" in err and "SharedAccessKey=k" not in err
