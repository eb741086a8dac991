"""``hjemme serve``: migrate the database and run the HTTP API and web pages with uvicorn."""

from __future__ import annotations

import importlib.util

import typer

from hjemme.cli._common import EXIT_FAILED, cli_errors, database

APP_FACTORY = "hjemme.api.app:create_app"


def run_server(host: str, port: int) -> None:
    """Serve :data:`APP_FACTORY` (imported lazily: the API is its own package)."""
    if importlib.util.find_spec(APP_FACTORY.split(":")[0]) is None:
        typer.echo(f"Error: the API module {APP_FACTORY} is not installed", err=True)
        raise typer.Exit(EXIT_FAILED)
    import uvicorn

    # uvicorn's own proxy-header handling would believe X-Forwarded-For from 127.0.0.1; hjemme decides
    # whom to believe itself (HJEMME_TRUSTED_PROXIES, ``web.deps.client_address``, issue 12).
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, proxy_headers=False)


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the API (OpenAPI at /openapi.json) and the web pages."""
    with cli_errors(), database():
        pass  # migrate to heads before the app opens its own engine
    typer.echo(f"hjemme on http://{host}:{port}/")
    run_server(host, port)
