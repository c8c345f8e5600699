"""The `comptoir` command line: serve the API, run the projector."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from application.app import Comptoir
from application.journal import CommandContext
from domain.access import Role
from interfaces.settings import Settings
from interfaces.wiring import Services, utc_now

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


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (COMPTOIR_HTTP_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (COMPTOIR_HTTP_PORT)")] = None,
) -> None:
    """Serve the HTTP API with the projector running in-process."""
    from interfaces.http.app import create_app

    settings = load_settings()
    host = host or settings.http_host
    port = port or settings.http_port
    where = f"{settings.sqlite_path}" if settings.event_store == "sqlite" else settings.event_store
    with Comptoir(settings.eventstore_env()) as app:
        secret = app.access.bootstrap_admin(system_context(reason="first run"))
    if secret is not None:
        typer.echo("First run: an admin API key was created. It is shown once; keep it:")
        typer.echo(f"  {secret}")
    typer.echo(f"Comptoir event store: {where}; views: {settings.duckdb_path}")
    typer.echo(f"Comptoir API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@cli.command()
def project() -> None:
    """Catch the DuckDB views up with the event log once, then exit."""
    services = Services.build(load_settings())
    try:
        applied = services.runner.catch_up()
        typer.echo(f"applied {applied} events; views at position {services.runner.position}")
    finally:
        services.close()


keys = typer.Typer(help="Issue and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys, name="keys")


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


def main() -> None:
    """Entry point of the `comptoir` console script."""
    cli(prog_name="comptoir")


if __name__ == "__main__":
    main()
