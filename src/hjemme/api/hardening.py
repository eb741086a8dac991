"""The HTTP edge's defences (#12): body-size limits, JSON that cannot crash a parser, short error
replies, and the security headers of every response.

- :class:`BodyLimit`: a body over ``settings.max_json_bytes`` (``max_upload_bytes`` for
  multipart uploads) is answered 413 before anything parses it; a JSON body with ``NaN``,
  ``Infinity``, deep nesting or a huge integer is answered 422 naming the element
  (:mod:`hjemme.api.json_guard`), as a FHIR ``OperationOutcome`` on ``/fhir``.
- :class:`SecurityHeaders`: a Content-Security-Policy without inline script and with
  ``frame-ancestors 'none'``, ``nosniff``, a Referrer-Policy, ``Cache-Control: no-store`` on all
  but static files, and HSTS over https.
- :func:`validation_error`: FastAPI's 422 with each ``input`` cut to a short excerpt (its own
  echoes whole bodies back).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hjemme.api.json_guard import check_json
from hjemme.settings import Settings

EXCERPT_CHARS = 80
"""The most of a client's input an error reply repeats."""
MESSAGE_CHARS = 300
"""The longest error message (which may quote an id or value the client sent)."""
INLINE_CHECK_BYTES = 64_000
"""Bodies up to this size are checked on the event loop (well under a millisecond)."""
FORM_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")
CACHEABLE_PREFIXES = ("/static/",)


class _TooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes:
    return next((v for k, v in scope["headers"] if k == name), b"")


async def _reply(send: Send, status: int, body: dict[str, Any], media_type: str = "application/json") -> None:
    content = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", media_type.encode()), (b"content-length", str(len(content)).encode())]})
    await send({"type": "http.response.body", "body": content})


def _too_large(path: str, limit: int) -> tuple[dict[str, Any], str]:
    problem = f"the request body is larger than {limit} bytes"
    if path.startswith("/fhir"):
        return {"resourceType": "OperationOutcome", "issue": [
            {"severity": "error", "code": "too-long", "diagnostics": problem}]}, "application/fhir+json"
    return {"detail": problem}, "application/json"


class BodyLimit:
    """413 for bodies over the limit; 422 for JSON no parser should be handed (see module doc)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.json_limit = settings.max_json_bytes
        self.upload_limit = settings.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        content_type = _header(scope, b"content-type").lower()
        is_form = content_type.startswith(FORM_TYPES)
        limit = self.upload_limit if content_type.startswith(b"multipart/") else self.json_limit
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _reply(send, 413, *_too_large(scope["path"], limit))
            return
        if is_form:
            await self._streamed(scope, receive, send, limit)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await _reply(send, 413, *_too_large(scope["path"], limit))
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = None
        if len(body) > INLINE_CHECK_BYTES:  # a big body is parsed in a worker thread, off the event loop
            problem = await anyio.to_thread.run_sync(check_json, body)
        elif body.strip():
            problem = check_json(body)
        if problem is not None:
            await _reply(send, 422, *_refused_json(scope["path"], problem.loc, problem.problem))
            return
        await self.app(scope, _replay(body, receive), send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count a form body as the app reads it; over the limit, the app's answer (whatever its
        parser made of the cut-off body) is replaced by the 413."""
        size, too_large, replaced = 0, False, False

        async def counting() -> Message:
            nonlocal size, too_large
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                too_large = True
                raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal replaced
            if not too_large:
                await send(message)
            elif not replaced and message["type"] == "http.response.start":
                replaced = True
                await _reply(send, 413, *_too_large(scope["path"], limit))

        try:
            await self.app(scope, counting, sending)
        except _TooLarge:
            if not replaced:
                await _reply(send, 413, *_too_large(scope["path"], limit))


def _refused_json(path: str, loc: tuple[str | int, ...], problem: str) -> tuple[dict[str, Any], str]:
    if path.startswith("/fhir"):
        where = ".".join(str(p) for p in loc) or None
        issue: dict[str, Any] = {"severity": "error", "code": "structure", "diagnostics": problem}
        if where:
            issue["expression"] = [where]
        return {"resourceType": "OperationOutcome", "issue": [issue]}, "application/fhir+json"
    return {"detail": [{"type": "json_invalid", "loc": ["body", *loc], "msg": problem}]}, "application/json"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def content_security_policy(settings: Settings) -> str:
    """The CSP: own scripts only (no inline script, no eval), never framed; map tiles from the
    configured tile server."""
    images = ["'self'", "data:"]
    tiles = urlsplit(settings.tile_url)
    if tiles.scheme in ("http", "https") and tiles.netloc:
        host = tiles.netloc
        while "{" in host and "}" in host:
            host = host[: host.index("{")] + "*" + host[host.index("}") + 1 :]
        images.append(f"{tiles.scheme}://{host}")
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
        f"img-src {' '.join(images)}", "connect-src 'self'", "font-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ))


class SecurityHeaders:
    """Adds the security headers to every response (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.always_https = settings.https
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),  # "no-referrer" makes forms send Origin: null
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if not scope["path"].startswith(CACHEABLE_PREFIXES):
            extra.append((b"cache-control", b"no-store"))
        if self.always_https or scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in names]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, with_headers)


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> Any:
    """``value`` if it is short, else the first ``limit`` characters of its text with an ellipsis."""
    if isinstance(value, bool | float) or value is None:
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= 64 else "a very long integer"
    try:
        text = value if isinstance(value, str) else json.dumps(jsonable_encoder(value), ensure_ascii=False,
                                                               default=str)
    except ValueError:  # e.g. an integer too long to print
        return "…"
    if len(text) <= limit:
        return value
    return text[:limit] + "…"


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 (``detail[].loc``/``msg``/``type``) with every ``input`` cut short."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        error = dict(error)
        if "input" in error:
            error["input"] = excerpt(error["input"])
        if isinstance(error.get("ctx"), dict):
            error["ctx"] = {k: excerpt(v if isinstance(v, str | int | float) else str(v))
                            for k, v in error["ctx"].items()}
        errors.append(error)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
