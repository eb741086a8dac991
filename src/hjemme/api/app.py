"""The HTTP API: ``create_app()`` builds a FastAPI app around one settings object and one engine.

hjemme's errors stop here and become HTTP statuses (STYLE principle 3): bad input 422 naming the
field, unknown ids 404, a role that may not 403, a conflict 409, no or a bad log-in 401.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hjemme import __version__
from hjemme.api.docs import mount_docs
from hjemme.api.hardening import MESSAGE_CHARS, BodyLimit, SecurityHeaders, excerpt, validation_error
from hjemme.api.idempotency import idempotency
from hjemme.api.routes import (
    alarms,
    audit,
    auth,
    care,
    exports,
    fhir,
    fhir_bundle,
    fhir_ingest,
    logistics,
    patients,
    plans,
    registers,
    rota,
    tasks,
    users,
)
from hjemme.api.routes.plans import language
from hjemme.errors import (
    CatalogueError,
    ConflictError,
    HjemmeError,
    InfeasibleError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from hjemme.services.auth import AuthenticationError
from hjemme.services.journal import AlreadyOrderedError, VersionConflictError, describe_entry
from hjemme.services.login_throttle import TooManyAttemptsError
from hjemme.settings import Settings, get_settings
from hjemme.store.database import create_db_engine
from hjemme.web.deps import log_refused_request
from hjemme.web.router import mount_web

ROUTERS = (
    auth.router,
    patients.router,
    tasks.router,
    plans.router,
    alarms.router,
    audit.router,
    fhir.router,
    fhir_ingest.router,
    logistics.router,
    care.router,
    exports.router,
    users.router,
    registers.router,
    fhir_bundle.router,
    rota.router,
)
"""Every router of the API; a feature adds its ``routes/<feature>.py`` router here."""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The API app (and the web pages) for ``settings`` (default: the environment's), on ``engine``
    if one is given.

    The schema is not migrated here: ``hjemme seed``/``hjemme serve`` own that, and tests hand in
    an engine whose schema is already at ``heads``. Without its keys the app is not built at all
    (:class:`hjemme.settings.MissingKeyError`): it would sign log-ins with an empty key.
    """
    settings = settings or get_settings()
    settings.require_keys()
    app = FastAPI(
        title="hjemme",
        summary="Planning and decision support for hospital at home (OUS Hjemme)",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine if engine is not None else create_db_engine(settings.database_url)
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(HjemmeError, _hjemme_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    mount_docs(app)
    app.middleware("http")(idempotency)
    mount_web(app)
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    return app


_STATUS: tuple[tuple[type[HjemmeError], int], ...] = (
    (AuthenticationError, 401),
    (TooManyAttemptsError, 429),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (InfeasibleError, 422),
    (CatalogueError, 500),
)


async def _hjemme_error(request: Request, exc: Exception) -> JSONResponse:
    """Translate a hjemme error into its status; 422 bodies have FastAPI's ``detail[].loc`` shape."""
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttemptsError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    if status in (403, 404):  # a database write: off the event loop
        await run_in_threadpool(log_refused_request, request, status)
    body: dict[str, Any]
    detail = excerpt(str(exc), MESSAGE_CHARS)
    if isinstance(exc, VersionConflictError):
        lang = language(request, request.app.state.settings.language)
        body = {
            "detail": exc.message(lang),
            "expected_version": exc.expected,
            "current_version": exc.current,
            "changes": [describe_entry(e, lang) for e in exc.between],
        }
    elif isinstance(exc, AlreadyOrderedError):
        lang = language(request, request.app.state.settings.language)
        text = (f"Alarmen har allerede bestilt akuttbesøk {exc.task_id} ({exc.where})" if lang == "nb"
                else str(exc))
        body = {"detail": text, "task": exc.task_id, "where": exc.where}
    elif isinstance(exc, InputError):
        problem = excerpt(exc.problem, MESSAGE_CHARS)
        body = {"detail": [{"type": "input_error", "loc": exc.field.split("."), "msg": problem}]}
    elif isinstance(exc, NotFoundError):
        body = {"detail": detail, "what": exc.what, "id": excerpt(str(exc.ident), MESSAGE_CHARS)}
    else:
        body = {"detail": detail}
    return JSONResponse(body, status_code=status, headers=headers)
