"""A small static HTTP server on 127.0.0.1 for the bundled sample site (and the tests).

It answers conditional GETs (ETag and Last-Modified) like a real news site, so a
second run sees 304s. The sample's files name their site `http://sample.newsflow.test`;
`newsflow demo` maps that host to the server, and `newsflow demo --serve` has the server
rewrite it to its own address, so any client can follow the links.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLE_HOST = "sample.newsflow.test"  # the host name the bundled sample's feeds and pages use
TYPES = {".xml": "application/xml; charset=utf-8", ".json": "application/feed+json", ".html": "text/html; charset=utf-8",
         ".txt": "text/plain; charset=utf-8"}


class _Handler(BaseHTTPRequestHandler):
    root: Path
    rewrite: tuple[bytes, bytes] | None = None  # (site origin as written in the files, this server's origin)

    def do_GET(self) -> None:
        path = (self.root / self.path.split("?", 1)[0].lstrip("/")).resolve()
        if path.is_dir():
            path = path / "index.html"
        if self.root not in path.parents or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        if self.rewrite:
            body = body.replace(*self.rewrite)
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        mtime = path.stat().st_mtime
        if self._not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if inm := self.headers.get("If-None-Match"):
            return etag in [t.strip() for t in inm.split(",")]
        if ims := self.headers.get("If-Modified-Since"):
            try:
                return int(mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args) -> None:  # quiet: the pipeline logs its fetches
        pass


class StaticServer:
    """Serve a folder on 127.0.0.1 (`port` 0: a free port), in a background thread; OSError if the port is taken.

    With `public_host`, every `http://<public_host>` in a served file becomes this server's own origin.
    """

    def __init__(self, root: str | Path, port: int = 0, public_host: str | None = None):
        handler = type("Handler", (_Handler,), {"root": Path(root).resolve()})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.public_host = public_host
        if public_host:
            handler.rewrite = (f"http://{public_host}".encode(), f"http://{self.address}".encode())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def local_url(self, url: str) -> str:
        """`url` on the public host as this server serves it."""
        return url.replace(f"http://{self.public_host}", f"http://{self.address}", 1) if self.public_host else url

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
