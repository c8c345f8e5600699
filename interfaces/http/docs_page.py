"""The API docs page, served whole by Comptoir: Swagger UI's script and style come from
the `fastapi-swagger` package's copy of swagger-ui-dist (5.x, which reads OpenAPI 3.1),
not from a CDN, so the page works on a machine with no internet access."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

ASSETS = resources.files("fastapi_swagger") / "resources"
MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
CACHED = "public, max-age=86400"


def install_docs_page(app: FastAPI, path: str = "/docs") -> None:
    """Serve the docs page at `path` and its assets under `/docs-assets/`."""

    @app.get(path, include_in_schema=False)
    async def docs_page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title="Comptoir — API",
            swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs-assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs-assets/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True, "filter": True},
        )

    @app.get("/docs-assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        media_type = MEDIA_TYPES.get(name)
        if media_type is None:  # only the three files, never a path into the package
            return Response(status_code=404)
        body = (ASSETS / name).read_bytes()
        return Response(body, media_type=media_type, headers={"Cache-Control": CACHED})
