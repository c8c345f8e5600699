"""The `comptoir` command line: serve the API, run the projector."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
import uvicorn

from application.app import Comptoir
from application.journal import CommandContext
from domain.access import Role
from interfaces.accounting_cli import export_fec, export_sales_journal
from interfaces.audit_cli import audit
from interfaces.documents_cli import documents
from interfaces.export import export_views
from interfaces.http.workers import WORKER_TIMEOUT_S, Supervisor
from interfaces.runtime import tune_runtime
from interfaces.scheduler import run_due_jobs
from interfaces.settings import Settings
from interfaces.standalone import follow_projection
from interfaces.wiring import Services, utc_now
from interfaces.worker import WorkerState, create_broker, declare_actors, run_worker
from projections.live import LiveViews, publish_handoff
from projections.quarantine import Quarantined, summary
from projections.rebuild import rebuild

cli = typer.Typer(
    help="Comptoir: event-sourced quotes, orders, affairs, contracts and assets.",
    no_args_is_help=True,
    add_completion=False,
)


def load_settings() -> Settings:
    """Settings from the environment, or one readable line and exit 2."""
    try:
        return Settings()
    except ValueError as error:
        typer.echo(f"comptoir: invalid COMPTOIR_* setting: {error}".splitlines()[0], err=True)
        raise typer.Exit(2) from None


class NodeRole(StrEnum):
    """The part a serving process plays (README: Running on several machines)."""

    ALL = "all"
    COMMAND = "command"
    QUERY = "query"


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (COMPTOIR_HTTP_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (COMPTOIR_HTTP_PORT)")] = None,
    role: Annotated[
        NodeRole | None,
        typer.Option(help="all: commands and views; command: no views; query: views only"),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (command nodes only)")
    ] = 1,
    worker_timeout: Annotated[
        float,
        typer.Option(min=1, help="Seconds a hung worker may stay silent before it is replaced"),
    ] = WORKER_TIMEOUT_S,
) -> None:
    """Serve the HTTP API: commands and views with the projector in-process (role all),
    commands only (role command), or views only, following the log (role query)."""
    from interfaces.http.app import create_app

    if role is not None:  # the worker processes read it from the environment too
        os.environ["COMPTOIR_ROLE"] = role.value
    settings = load_settings()
    host = host or settings.http_host
    port = port or settings.http_port
    if workers > 1 and settings.role != "command":
        typer.echo(
            "comptoir: --workers N needs --role command: a process with views owns its "
            "DuckDB file; run one query node per COMPTOIR_DUCKDB_PATH instead",
            err=True,
        )
        raise typer.Exit(2)
    where = f"{settings.sqlite_path}" if settings.event_store == "sqlite" else settings.event_store
    if settings.role != "query":  # a query node never writes (it may read a standby)
        with Comptoir(settings.eventstore_env()) as app:
            secret = app.access.bootstrap_admin(system_context(reason="first run"))
        if secret is not None:
            typer.echo("First run: an admin API key was created. It is shown once; keep it:")
            typer.echo(f"  {secret}")
    views = "none (command node)" if settings.role == "command" else settings.duckdb_path
    typer.echo(f"Comptoir event store: {where}; views: {views}; role: {settings.role}")
    typer.echo(f"Comptoir API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    if workers == 1:
        tune_runtime()
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    try:  # each worker on a socket of its own (`interfaces.http.workers`)
        Supervisor(host, port, workers, worker_timeout).run()
    except OSError as error:
        typer.echo(f"comptoir: cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(2) from None


def open_services(settings: Settings) -> Services:
    """The services over the live read model, or one readable line if a server holds it."""
    if settings.role == "command":  # a command node keeps no views; projecting here does
        settings = settings.model_copy(update={"role": "all"})
    try:
        return Services.build(settings)
    except duckdb.IOException:
        typer.echo(
            f"comptoir: {settings.duckdb_path} is open by a running server; "
            "use its POST /admin/views/rebuild or /admin/views/verify, "
            "or `comptoir rebuild --handoff`",
            err=True,
        )
        raise typer.Exit(2) from None


@cli.command()
def project(
    follow: Annotated[
        bool, typer.Option(help="Keep following the log until stopped (a projector alone)")
    ] = False,
) -> None:
    """Catch the DuckDB views up with the event log once, then exit (or follow it)."""
    if follow:
        tune_runtime()
        follow_projection(load_settings())
        return
    services = open_services(load_settings())
    try:
        applied = services.runner.catch_up()
        typer.echo(f"applied {applied} events; views at position {services.runner.position}")
    finally:
        services.close()


@cli.command("rebuild")
def rebuild_views(
    verify: Annotated[
        bool, typer.Option(help="Compare a fresh rebuild with the live views, row for row")
    ] = False,
    handoff: Annotated[
        bool, typer.Option(help="Build a fresh file for the running server to switch to")
    ] = False,
) -> None:
    """Rebuild every view from the event log into a fresh file (H4)."""
    settings = load_settings()
    if handoff:
        with Comptoir(settings.eventstore_env(), policies=settings.policies()) as app:
            base = settings.duckdb_path
            built = rebuild(
                app,
                base.with_name(f"{base.name}.{time.time_ns()}"),
                workers=settings.rebuild_workers,
            )
        publish_handoff(settings.duckdb_path, built)
        echo_quarantine(built.quarantined)
        typer.echo(f"rebuilt {built.events} events into {built.path}; the server switches to it")
        return
    services = open_services(settings)
    try:
        if verify:
            built, differences = services.views.verify()
            echo_quarantine(built.quarantined)
            for difference in differences:
                typer.echo(f"differs: {difference}")
            if differences:
                typer.echo(
                    f"comptoir: the views differ from a rebuild at {built.position}", err=True
                )
                raise typer.Exit(1)
            typer.echo(
                f"ok: the views equal a rebuild of {built.events} events at {built.position}"
            )
        else:
            built = services.views.rebuild_and_switch()
            echo_quarantine(built.quarantined)
            typer.echo(f"rebuilt {built.events} events into {built.path}; now the live views")
    finally:
        services.close()


keys = typer.Typer(help="Issue and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys, name="keys")
cli.add_typer(audit, name="audit")
cli.add_typer(documents, name="documents")


def system_context(reason: str) -> CommandContext:
    """Commands issued from the console are recorded as the `system` actor."""
    return CommandContext(actor="system", at=utc_now(), reason=reason)


@keys.command("issue")
def issue_key(
    user: Annotated[str, typer.Option(help="Who the key is for")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several")],
) -> None:
    """Issue an API key and print its secret once."""
    with Comptoir(load_settings().eventstore_env()) as app:
        secret, outcome = app.access.issue(
            system_context("issued from the console"), user=user, roles=[str(r) for r in role]
        )
    typer.echo(f"key id {outcome.aggregate_id} for {user} ({', '.join(role)}):")
    typer.echo(secret)


@cli.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, max=32, help="Worker threads")] = 2,
) -> None:
    """Run the dramatiq worker on COMPTOIR_REDIS_URL: wake-ups, jobs, rebuilds, exports."""
    settings = load_settings()
    if not settings.redis_url:
        typer.echo("comptoir: set COMPTOIR_REDIS_URL to run a worker", err=True)
        raise typer.Exit(2)
    typer.echo(f"Comptoir worker on {settings.redis_url} ({threads} threads)")
    tune_runtime()
    run_worker(settings, threads)


jobs = typer.Typer(help="Scheduled jobs: expire quotes, bill contracts, inactive customers.")
cli.add_typer(jobs, name="jobs")


@jobs.command("run")
def run_jobs() -> None:
    """Run every scheduled job once, now, in this process."""
    settings = load_settings()
    with Comptoir(settings.eventstore_env(), policies=settings.policies()) as app:
        views = LiveViews(app, settings.worker_duckdb_path)
        try:
            for report in run_due_jobs(app, views, utc_now()):
                typer.echo(str(report))
        finally:
            views.close()


@jobs.command("enqueue")
def enqueue_jobs() -> None:
    """Ask the workers to run the scheduled jobs (for a cron line)."""
    settings = load_settings()
    if not settings.redis_url:
        typer.echo("comptoir: set COMPTOIR_REDIS_URL, or use `comptoir jobs run`", err=True)
        raise typer.Exit(2)
    broker = create_broker(settings)
    actors = declare_actors(broker, WorkerState(settings))
    actors.run_scheduled_jobs.send(utc_now().isoformat())
    typer.echo("scheduled jobs enqueued")


exports = typer.Typer(help="Exports: the views (--to DIR), or `fec` and `sales-journal`.")
cli.add_typer(exports, name="export")
exports.command("fec")(export_fec)
exports.command("sales-journal")(export_sales_journal)


@exports.callback(invoke_without_command=True)
def export(
    context: typer.Context,
    to: Annotated[
        Path | None, typer.Option(help="Directory for the snapshot and Parquet files")
    ] = None,
    excel: Annotated[
        bool, typer.Option(help="Also write an Excel workbook, a sheet per view")
    ] = False,
) -> None:
    """Write a consistent DuckDB snapshot and one Parquet file per view (V10)."""
    if context.invoked_subcommand is not None:
        return
    if to is None:
        typer.echo("comptoir: export needs --to DIR, or fec / sales-journal", err=True)
        raise typer.Exit(2)
    settings = load_settings()
    with Comptoir(settings.eventstore_env(), policies=settings.policies()) as app:
        written = export_views(app, to, excel=excel, workers=settings.rebuild_workers)
    typer.echo(f"snapshot at log position {written.position}: {written.snapshot}")
    for table, path in sorted(written.parquet.items()):
        typer.echo(f"  {table}: {path}")
    if written.excel is not None:
        typer.echo(f"  workbook: {written.excel}")
    echo_quarantine(written.quarantined)


def echo_quarantine(quarantined: Sequence[Quarantined]) -> None:
    """Name each quarantined document and count them: the command still succeeds."""
    for line in summary(quarantined):
        typer.echo(line)


def main() -> None:
    """Entry point of the `comptoir` console script."""
    cli(prog_name="comptoir")


if __name__ == "__main__":
    main()
