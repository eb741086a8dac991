"""The web's router and how it is mounted on the API's app (one ``mount_web(app)`` in ``create_app``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from hjemme.web.csrf import CsrfError, verify_csrf
from hjemme.web.deps import (
    LoginRequiredError,
    PageForbiddenError,
    log_refused_request,
    optional_user,
    page_context,
)
from hjemme.web.pages import (
    admin,
    auth,
    care,
    exports,
    logistics,
    myday,
    orders,
    patient,
    plan,
    plan_live,
    registers,
    response,
    scenarios,
)
from hjemme.web.rendering import STATIC, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGES = (
    auth, plan, plan_live, myday, care, response, logistics, orders, admin, exports, patient, scenarios,
    registers,
)
"""Every page module; each has a ``router``."""
for _page in PAGES:
    router.include_router(_page.router)


def mount_web(app: FastAPI) -> None:
    """Add the pages, the static files and the web's two answers (log in first; 403) to ``app``.

    Idempotent, so a test may call it on an app whose factory already did.
    """
    if getattr(app.state, "web_mounted", False):
        return
    app.state.web_mounted = True
    app.mount("/static", StaticFiles(directory=STATIC), name="web-static")
    app.include_router(router)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(PageForbiddenError, _forbidden)
    app.add_exception_handler(CsrfError, _forged)


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    user = optional_user(request, request.app.state.settings, request.app.state.engine)
    await run_in_threadpool(log_refused_request, request, 403)
    context = page_context(user) if user is not None else {}
    return render(request, "errors/403.html", context, status_code=403)


async def _forged(request: Request, exc: Exception) -> Response:
    """A form without this session's token (another site's, or a stale page): 403, nothing changed."""
    return render(request, "errors/csrf.html", {}, status_code=403)
