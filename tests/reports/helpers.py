"""Helpers for report tests: PDF text, text positions, a counting HTTP server."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdf
from weasyprint import Document
from weasyprint.formatting_structure import boxes


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, pages joined by newlines."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def box_overflow(document: Document) -> list[tuple[int, float]]:
    """(page, right edge) of every text box that ends beyond its page's content area."""
    outside: list[tuple[int, float]] = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width + 1  # 1pt of rounding slack
        stack: list[Any] = [page_box]
        while stack:
            box = stack.pop()
            stack.extend(getattr(box, "children", ()))
            if isinstance(box, boxes.TextBox) and box.text.strip():
                end = box.position_x + box.margin_width()
                if end > right:
                    outside.append((number, end))
    return outside


@dataclass
class RequestLog:
    paths: list[str] = field(default_factory=list)
    port: int = 0


@contextmanager
def counting_server() -> Iterator[RequestLog]:
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    log = RequestLog()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            log.paths.append(self.path)
            body = b"body { background: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    log.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
