"""The `comptoir` command line: serve the API, run the projector."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from interfaces.settings import Settings
from interfaces.wiring import Services

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


def main() -> None:
    """Entry point of the `comptoir` console script."""
    cli(prog_name="comptoir")


if __name__ == "__main__":
    main()
