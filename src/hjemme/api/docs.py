"""``/docs``: Swagger UI served from this server, never from a CDN (#12).

FastAPI's own page loads Swagger UI from a public CDN with an inline script; a hospital server
should neither hand its users' browsers to a third party nor allow inline script (the CSP of
:mod:`hjemme.api.hardening`). Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes) is vendored
under ``web/static/vendor/swagger-ui/`` like htmx and Leaflet (``npm pack swagger-ui-dist@5.35.0``);
its start-up script is ``web/static/js/swagger-init.js``. ReDoc, which would need a CDN too, is off.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>hjemme API</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs``: the page only; its files are the web's static files."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
