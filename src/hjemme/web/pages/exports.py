"""The researcher's page: what the pseudonymised exports hold and how to get them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.web.deps import page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()


@router.get("/exports")
def exports(request: Request, user: Annotated[Principal, Depends(page_for(Role.RESEARCHER))]) -> Response:
    return render(request, "exports/index.html", page_context(user))
