"""A TestClient that submits forms like the pages' own forms: with the page's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from hjemme.services.auth import SESSION_COOKIE
from hjemme.web.csrf import CSRF_COOKIE, CSRF_FIELD, token_for


class FormClient(TestClient):
    """``post`` adds the hidden ``csrf_token`` field every rendered form carries (page routes only);
    ``post(..., csrf=False)`` sends a form without it, as another site's would."""

    def form_token(self) -> str:
        anchor = self.cookies.get(SESSION_COOKIE) or self.cookies.get(CSRF_COOKIE)
        if anchor is None:
            self.get("/login")  # a browser has always opened the page before posting its form
            anchor = self.cookies.get(CSRF_COOKIE)
        assert anchor is not None
        return token_for(anchor, secret_key=self.app.state.settings.secret_key)  # type: ignore[attr-defined]

    def post(self, url: Any, *, csrf: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        page = not str(url).startswith(("/api", "/fhir"))
        if csrf and page and kwargs.get("json") is None and kwargs.get("content") is None:
            kwargs["data"] = {**(kwargs.get("data") or {}), CSRF_FIELD: self.form_token()}
        return super().post(url, **kwargs)
