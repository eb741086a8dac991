"""The web application: server-rendered pages (Jinja2 + HTMX) for the people of DESIGN §2.

Pages call services directly (never the API), authenticate with the signed session cookie of
:mod:`hjemme.services.auth`, speak Norwegian bokmål by default and English on request, and are
mounted on the API's app by :func:`hjemme.web.router.mount_web`.
"""
