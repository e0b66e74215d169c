"""openmash.web.serving: the ASGI application `openmash serve` runs, driven through the ASGI interface."""

import asyncio
import json
import threading

import pytest

from openmash.web import serving


def _scope(
    method: str, path: str, query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8000"), *(headers or [])],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }


def _call(scope: dict, body_parts: list[bytes] | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    parts = list(body_parts or [b""])
    sent: list[dict] = []

    async def receive() -> dict:
        part = parts.pop(0)
        return {"type": "http.request", "body": part, "more_body": bool(parts)}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(serving.application(scope, receive, send))
    start, body = sent
    assert start["type"] == "http.response.start" and body["type"] == "http.response.body"
    return start["status"], dict(start["headers"]), body["body"]


def _echo(environ, start_response):
    """A WSGI application that answers with what it was given."""
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "type": environ.get("CONTENT_TYPE"),
        "length": environ.get("CONTENT_LENGTH"),
        "header": environ.get("HTTP_X_REFERENCE"),
        "body": environ["wsgi.input"].read().decode(),
        "thread": threading.current_thread().name,
    }
    start_response("201 Created", [("Content-Type", "application/json"), ("X-Answer", "yes")])
    return [json.dumps(seen).encode()]


def test_an_ordinary_request_reaches_wsgi_whole_on_a_pool_thread(monkeypatch):
    monkeypatch.setattr(serving, "_wsgi", _echo)
    status, headers, body = _call(
        _scope(
            "POST",
            "/api/v1/incidents/domestic-abuse",
            b"dry=1",
            [(b"content-type", b"application/json"), (b"content-length", b"17"), (b"x-reference", b"CLE-1")],
        ),
        [b'{"reference": ', b'"CLE-1"}'],  # the body arrives in two parts
    )
    assert status == 201
    assert headers[b"content-type"] == b"application/json" and headers[b"x-answer"] == b"yes"
    seen = json.loads(body)
    assert seen["method"] == "POST" and seen["path"] == "/api/v1/incidents/domestic-abuse"
    assert seen["query"] == "dry=1" and seen["header"] == "CLE-1"
    assert seen["type"] == "application/json" and seen["length"] == "17"
    assert seen["body"] == '{"reference": "CLE-1"}'
    assert seen["thread"].startswith("openmash-request")


def test_a_body_over_the_limit_is_refused_before_django_sees_it(monkeypatch):
    called = []
    monkeypatch.setattr(serving, "_wsgi", lambda environ, start: called.append(environ) or [])
    monkeypatch.setattr(serving, "MAX_BODY_BYTES", 10)
    status, _headers, body = _call(_scope("POST", "/import/"), [b"0123456", b"789ab"])
    assert status == 413 and b"too large" in body
    assert called == []


def test_a_failure_outside_django_is_a_500_not_a_dropped_connection(monkeypatch):
    def broken(environ, start_response):
        raise RuntimeError("boom")

    monkeypatch.setattr(serving, "_wsgi", broken)
    status, _headers, body = _call(_scope("GET", "/"))
    assert status == 500 and body == b"Server error"


def test_head_sends_the_headers_without_the_body(monkeypatch):
    monkeypatch.setattr(serving, "_wsgi", _echo)
    status, headers, body = _call(_scope("HEAD", "/api/v1/ping"))
    assert status == 201 and headers[b"x-answer"] == b"yes" and body == b""


def test_django_answers_through_it():
    status, headers, body = _call(_scope("GET", "/api/v1/ping"))
    assert status == 200 and headers[b"content-type"].startswith(b"application/json")
    assert json.loads(body) == {"ok": True}


@pytest.mark.parametrize("path", sorted(serving.STREAM_PATHS))
def test_live_streams_go_to_django_asgi(monkeypatch, path):
    seen = []

    async def asgi(scope, receive, send):
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    monkeypatch.setattr(serving, "_asgi", asgi)
    monkeypatch.setattr(serving, "_wsgi", _echo)
    status, _headers, _body = _call(_scope("GET", path))
    assert status == 204 and seen == [path]
