"""``Idempotency-Key`` on API writes (issue 11, item 3).

A write (POST, PUT, PATCH, DELETE under ``/api`` or ``/fhir``) sent with the header is answered once;
a repeat by the same user with the same key gets the stored first answer (with
``Idempotent-Replayed: true``), a repeat while the first is still running gets 409, and a key
reused for another method or path gets 422. Server errors and refused log-ins are not kept, so a
retry can succeed.
"""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import RequestResponseEndpoint

from hjemme.errors import HjemmeError
from hjemme.services.auth import read_access_token
from hjemme.services.idempotency import claim_request, keep_answer, release_request
from hjemme.web.deps import get_now

HEADER = "idempotency-key"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY = 200


async def idempotency(request: Request, call_next: RequestResponseEndpoint) -> Response:
    key = request.headers.get(HEADER)
    path = request.url.path
    if key is None or request.method not in WRITES or not path.startswith(("/api/", "/fhir")):
        return await call_next(request)
    if not key.strip() or len(key) > MAX_KEY:
        return _problem(422, f"Idempotency-Key must be 1–{MAX_KEY} characters")
    username = _username(request)
    if username is None:  # not logged in: the route answers 401 itself, nothing to remember
        return await call_next(request)
    engine = request.app.state.engine
    now = dt.datetime.now(dt.UTC)
    first = await run_in_threadpool(
        lambda: claim_request(
            engine=engine, username=username, key=key, method=request.method, path=path, at=now
        )
    )
    if first is not None:
        if (first.method, first.path) != (request.method, path):
            return _problem(422, "this Idempotency-Key was used for another request")
        if first.status_code is None:
            return _problem(409, "a request with this Idempotency-Key is still being answered")
        return Response(
            first.body or b"",
            status_code=first.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        response = await call_next(request)
    except BaseException:
        await run_in_threadpool(lambda: release_request(engine=engine, username=username, key=key))
        raise
    body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
    if response.status_code >= 500 or response.status_code in (401, 403):  # a retry may succeed
        await run_in_threadpool(lambda: release_request(engine=engine, username=username, key=key))
    else:
        text = body.decode("utf-8", errors="replace")
        await run_in_threadpool(
            lambda: keep_answer(
                engine=engine, username=username, key=key, status_code=response.status_code, body=text
            )
        )
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


def _username(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        return None
    clock = request.app.dependency_overrides.get(get_now, get_now)  # the app's one clock
    try:
        return read_access_token(auth[7:].strip(), settings=request.app.state.settings, now=clock()).username
    except HjemmeError:
        return None


def _problem(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers={"Content-Type": "application/json"})


__all__ = ["idempotency"]
