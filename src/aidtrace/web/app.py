"""The web application: the REST API (``api.py``) with one error shape, a strict
Content-Security-Policy, a request size limit, and API docs served from this host only.

Run it with ``aidtrace serve``; tests build it with ``create_app(settings)``.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AidtraceError, NotFoundError, StoreError, UsageError
from ..settings import Settings
from ..terminal import plain
from .api import MAX_BODY, ApiError, router
from .pages import router as pages

# No script, style or connection from anywhere but this host; nothing may frame the pages.
# Styles may be inline (the pages' own CSS and Plotly's); scripts never are.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the API."""
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application over the database named by ``settings.db``."""
    app = FastAPI(title="aidtrace", version="1", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
                  description="The aidtrace ledger of international military support: ledger events, per-report "
                              "events, documents, claims and totals, each traceable to its sentences.")
    app.state.settings = settings or Settings.load()
    app.include_router(pages)
    app.include_router(router)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            response: Response = error(413, f"the body is larger than {MAX_BODY:,} bytes — send one article "
                                            "per request")
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status, exc.message, exc.headers)

    @app.exception_handler(AidtraceError)
    async def library_error(_: Request, exc: AidtraceError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, UsageError) else \
            503 if isinstance(exc, StoreError) else 500
        return error(status, plain(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "query")
        return error(400, f"{where or 'request'}: {first.get('msg', 'invalid')} — see /api/docs for the parameters")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"no such page {plain(request.url.path)[:200]!r} — see /api/docs for what there is"
        return error(exc.status_code, message)

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        return error(500, f"internal error ({type(exc).__name__}) — this is a bug in aidtrace; the server log "
                          "has the details")

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        """The API's endpoints and parameters, rendered here (no script from other hosts)."""
        schema = app.openapi()
        rows = []
        for path, methods in schema.get("paths", {}).items():
            for method, op in methods.items():
                params = ", ".join(html.escape(p["name"]) for p in op.get("parameters", []))
                rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                            f"<td>{html.escape(op.get('summary', ''))}</td><td>{params}</td></tr>")
        return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>aidtrace API</title></head>"
                "<body><h1>aidtrace API</h1><p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json"
                "</a>. Errors: <code>{\"error\": {\"status\", \"message\"}}</code>. Lists page with "
                "<code>?limit=</code> and the <code>next</code> cursor.</p><table><thead><tr><th>method</th>"
                "<th>path</th><th>what</th><th>parameters</th></tr></thead><tbody>" + "".join(rows) +
                "</tbody></table></body></html>")

    return app
