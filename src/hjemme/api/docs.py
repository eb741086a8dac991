"""``/docs``: Swagger UI served from the server itself, never from a CDN (#12).

FastAPI's own page loads Swagger UI from a public CDN with an inline script; a hospital server
should neither hand its users' browsers to a third party nor allow inline script (the CSP of
:mod:`hjemme.api.hardening`). The files come from the pinned ``swagger-ui-bundle`` package and
are served under ``/docs-assets``; ReDoc, which has no such package, is switched off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

INIT_JS = Path(__file__).parent / "docs_assets" / "init.js"
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>hjemme API</title>
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (the page), ``/docs/init.js`` and ``/docs-assets/*`` (Swagger UI's files)."""
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(INIT_JS, media_type="text/javascript")
