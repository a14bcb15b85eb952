"""The WSGI app the HTTP benchmarks serve: the portal plus a bare route to compare with.

gunicorn loads it as ``bench.served_app:bench_app()``.
"""

from __future__ import annotations

from flask import Flask

from portal import create_app


def bench_app() -> Flask:
    app = create_app()

    @app.get("/__hello")
    def hello():
        return "hello"

    return app
