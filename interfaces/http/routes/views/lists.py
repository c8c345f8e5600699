"""The lists people look for (issue 16), on one router: customers (U1), the installed
base (S1), the actions' agenda (A8) and non-conformities (O7), each with its export."""

from __future__ import annotations

from fastapi import APIRouter

from interfaces.http.routes.views import actions, assets, customers, nonconformities

router = APIRouter()
for _view in (customers, assets, actions, nonconformities):
    router.include_router(_view.router)
