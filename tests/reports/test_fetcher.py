from __future__ import annotations

import pytest
from weasyprint import HTML

from failsafe.reports.fetcher import AssetFetcher, AssetRefused, asset_url
from tests.reports.helpers import counting_server, pdf_text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:1/",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "data:text/css,body%7Bbackground:url(http://127.0.0.1/)%7D",
        "data:image/png;base64,iVBORw0KGgo=",
        "failsafe-asset:../settings.py",
        "failsafe-asset:fonts/../../../../etc/passwd.ttf",
        "failsafe-asset:/etc/passwd.css",
        "failsafe-asset:fonts/%2e%2e/x.ttf",
        "failsafe-asset:fonts/missing.ttf",
        "failsafe-asset:__init__.py",
        "failsafe-asset:render/logo.png",
        "//127.0.0.1/x",
        "/etc/passwd",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    fetcher = AssetFetcher()
    with pytest.raises(AssetRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_etc_passwd() -> None:
    with pytest.raises(AssetRefused):
        AssetFetcher().fetch("file:///etc/passwd")


def test_fetcher_serves_bundled_font_and_stylesheet() -> None:
    fetcher = AssetFetcher()
    font = fetcher.fetch(asset_url("fonts/DejaVuSans.ttf"))
    assert font.read(4) == b"\x00\x01\x00\x00"
    css = fetcher.fetch(asset_url("report.css"))
    assert b"@font-face" in css.read()


def test_registered_blob_is_served_only_for_this_fetcher() -> None:
    fetcher = AssetFetcher()
    url = fetcher.register("logo.png", "image/png", b"\x89PNG\r\n\x1a\nxx")
    assert fetcher.fetch(url).read().startswith(b"\x89PNG")
    with pytest.raises(AssetRefused):
        AssetFetcher().fetch(url)


def test_weasyprint_with_fetcher_makes_no_request_and_reads_no_file() -> None:
    with counting_server() as server:
        base = f"http://127.0.0.1:{server.port}"
        html = (
            f'<link rel="stylesheet" href="{base}/link.css">'
            f"<style>@import url({base}/import.css); p {{ background: url({base}/bg.png) }}"
            f" @font-face {{ font-family: x; src: url({base}/font.ttf) }}</style>"
            f'<img src="{base}/img.png"><img src="file:///etc/passwd">'
            f'<object data="{base}/object"></object><iframe src="{base}/frame"></iframe>'
            f'<svg><image href="{base}/svg-image.png" width="10" height="10"/></svg>'
            f'<embed src="{base}/embed"><video poster="{base}/poster.png"></video>'
            "<p>visible text</p>"
        )
        fetcher = AssetFetcher()
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert server.paths == []
    assert any(u.startswith(base) for u in fetcher.refused)
    assert "file:///etc/passwd" in fetcher.refused
    assert "root:" not in pdf_text(pdf)
    assert "visible text" in pdf_text(pdf)
