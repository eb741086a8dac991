"""Cross-site request forgery: every state-changing form carries a per-session token (#12).

SameSite=Lax cookies alone let any *same-site* page (another port, another subdomain) post a form
with the nurse's session, e.g. to resolve an alarm. So each form the server renders carries a
hidden ``csrf_token``: an HMAC, under the signing key, of the session cookie (or, before log-in,
of a random ``hjemme_csrf`` cookie). Another page can neither read the token nor compute it. Every
POST to a page is checked before its handler runs (:func:`verify_csrf`, a dependency of the web's
router); a missing or wrong token, or an ``Origin`` naming another host, is refused with 403 and
changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from hjemme.services.auth import SESSION_COOKIE

CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "hjemme_csrf"
"""Anchors the token of a visitor with no session yet (the log-in form)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(Exception):
    """A state-changing form without a valid token, or from another origin: answered with 403."""


def token_for(anchor: str, *, secret_key: str) -> str:
    """The form token bound to ``anchor`` (a session cookie or the pre-log-in cookie)."""
    return hmac.new(secret_key.encode(), f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()


def _anchor(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)


def form_token(request: Request) -> tuple[str, str | None]:
    """The token for the forms of the page being rendered, and a new anchor cookie value to set
    (``None`` when the request already has one)."""
    anchor, new = _anchor(request), None
    if anchor is None:
        anchor = new = secrets.token_urlsafe(32)
    return token_for(anchor, secret_key=request.app.state.settings.secret_key), new


def set_anchor_cookie(request: Request, response: Response, value: str) -> None:
    """Remember the pre-log-in anchor (HttpOnly, SameSite=Strict: pages never read it)."""
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request without this session's token or from another host."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfError
    anchor = _anchor(request)
    sent = (await request.form()).get(CSRF_FIELD)
    if anchor is None or not isinstance(sent, str):
        raise CsrfError
    expected = token_for(anchor, secret_key=request.app.state.settings.secret_key)
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError
