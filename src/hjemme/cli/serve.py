"""``hjemme serve``: migrate the database and run the HTTP API and web pages with uvicorn.

The server needs its two keys (``HJEMME_SECRET_KEY``, ``HJEMME_RESEARCH_KEY``): without them, or
with a short or published one, it refuses to start (exit 2) instead of signing log-ins with a key
anyone can read (#12). ``hjemme demo`` is the one way to start without setting them.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util

import typer
from pydantic import ValidationError

from hjemme.cli._common import EXIT_BAD_INPUT, EXIT_FAILED, cli_errors, database
from hjemme.settings import MissingKeyError, Settings, get_settings

APP_FACTORY = "hjemme.api.app:create_app"


def server_settings() -> Settings:
    """The environment's settings, or exit 2 naming what is wrong with them."""
    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"HJEMME_{'_'.join(str(p) for p in e['loc']).upper()} {e['msg']}" if e["loc"] else e["msg"]
            for e in error.errors()
        )
        typer.echo(f"Error: {problems}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def require_keys(settings: Settings) -> None:
    """Exit 2 with a message naming the variable when a key is missing."""
    try:
        settings.require_keys()
    except MissingKeyError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def uvicorn_run(app: object, *, host: str, port: int) -> None:
    """uvicorn's own runner (a seam for tests, which must not open a socket)."""
    import uvicorn

    # uvicorn's own proxy-header handling would believe X-Forwarded-For from 127.0.0.1; hjemme decides
    # whom to believe itself (HJEMME_TRUSTED_PROXIES, ``web.deps.client_address``, issue 12).
    uvicorn.run(app, factory=True, host=host, port=port, proxy_headers=False)  # type: ignore[arg-type]


def run_server(host: str, port: int, settings: Settings) -> None:
    """Serve :data:`APP_FACTORY` on ``settings`` (imported lazily: the API is its own package)."""
    module, name = APP_FACTORY.split(":")
    if importlib.util.find_spec(module) is None:
        typer.echo(f"Error: the API module {APP_FACTORY} is not installed", err=True)
        raise typer.Exit(EXIT_FAILED)
    factory = getattr(importlib.import_module(module), name)
    uvicorn_run(functools.partial(factory, settings), host=host, port=port)


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the API (OpenAPI at /openapi.json) and the web pages; needs HJEMME_SECRET_KEY and
    HJEMME_RESEARCH_KEY."""
    settings = server_settings()
    require_keys(settings)
    with cli_errors(), database():
        pass  # migrate to heads before the app opens its own engine
    typer.echo(f"hjemme on http://{host}:{port}/")
    run_server(host, port, settings)
