"""The media-library page in a real browser: upload, tag filter, search, detail page, escaping."""

from __future__ import annotations

import io

from flask import Flask
from PIL import Image
from playwright.sync_api import Page

from emulator.server import EmulatorServer
from tests.browser.conftest import api_upload, screenshot
from tests.conftest import SAMPLE, TURTLES

XSS = "<script>alert(1)</script>"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "PNG")
    return out.getvalue()


def _grid_ids(page: Page) -> list[str]:
    return page.locator("#grid .public-id").all_inner_texts()


def _loaded_thumbnails(page: Page) -> list[int]:
    """Natural widths of the grid's images once loaded (0 for a broken image)."""
    page.wait_for_function("[...document.querySelectorAll('#grid img')].every(i => i.complete)")
    widths: list[int] = page.eval_on_selector_all("#grid img", "imgs => imgs.map(i => i.naturalWidth)")
    return widths


def test_upload_turtles_through_the_form_shows_the_three_auto_tags(page: Page, server: EmulatorServer) -> None:
    page.goto(f"{server.url}/console/demo")
    page.set_input_files("input[name=file]", str(TURTLES))
    page.fill("input[name=public_id]", "turtles")
    page.check("input[name='engine[]'][value=imagga_tagging]")
    page.fill("input[name=auto_tagging]", "0.4")
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/console/demo/resources/image/upload/turtles")
    assert page.locator("#resource-tags .chip").all_inner_texts() == ["sea turtle", "loggerhead", "turtle"]
    assert page.locator("h1.title").inner_text() == "turtles"
    preview = page.locator("figure.preview img")
    page.wait_for_function("document.querySelector('figure.preview img').complete")
    assert preview.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [320, 240]  # served by delivery
    screenshot(page, "upload-detail")
    page.click("nav.crumbs a")
    assert _grid_ids(page) == ["turtles", "sample"]
    assert _loaded_thumbnails(page) == [240, 240]
    screenshot(page, "library")


def test_clicking_a_tag_shows_only_matching_images(app: Flask, page: Page, server: EmulatorServer) -> None:
    api_upload(app, TURTLES.read_bytes(), "turtles.jpg", public_id="turtle_a", tags="beach")
    api_upload(app, TURTLES.read_bytes(), "turtles.jpg", public_id="turtle_b", tags="beach,turtle")
    api_upload(app, _png((200, 30, 30)), "red.png", public_id="red_square", tags="red")
    page.goto(f"{server.url}/console/demo")
    assert set(_grid_ids(page)) == {"turtle_a", "turtle_b", "red_square", "sample"}
    page.locator("#tags .chip", has_text="beach").click()
    page.wait_for_url("**/console/demo?tag=beach")
    assert sorted(_grid_ids(page)) == ["turtle_a", "turtle_b"]
    assert page.locator(".filter-value").inner_text() == "beach"
    assert _loaded_thumbnails(page) == [240, 240]
    screenshot(page, "tag-filter")
    page.locator("#grid .card", has_text="turtle_b").locator(".chip", has_text="turtle").click()
    assert _grid_ids(page) == ["turtle_b"]
    page.click(".filter .clear")
    assert len(_grid_ids(page)) == 4


def test_search_box_takes_an_expression(app: Flask, page: Page, server: EmulatorServer) -> None:
    api_upload(app, TURTLES.read_bytes(), "turtles.jpg", public_id="animals/turtle", tags="sea")
    api_upload(app, _png((30, 30, 200)), "blue.png", public_id="blue", tags="sea")
    page.goto(f"{server.url}/console/demo")
    page.fill("input[name=q]", "tags:sea AND format:png")
    page.click(".search-form button")
    assert _grid_ids(page) == ["blue"]
    assert "1 found" in page.locator(".count").inner_text()


def test_detail_page_shows_the_categorization_table(app: Flask, page: Page, server: EmulatorServer) -> None:
    api_upload(app, TURTLES.read_bytes(), "turtles.jpg", public_id="turtles",
               categorization="imagga_tagging:en:fi,google_tagging", auto_tagging="0.8",
               context="alt=a turtle|caption=on the beach")
    page.goto(f"{server.url}/console/demo/resources/image/upload/turtles")
    imagga = page.locator("table.confidence[data-engine=imagga_tagging]")
    assert imagga.locator("thead th").all_inner_texts()[:3] == ["Tag (en)", "Tag (fi)", "Confidence"]
    rows = imagga.locator("tbody tr")
    assert rows.count() == 12
    assert rows.nth(2).locator("td").all_inner_texts()[:3] == ["turtle", "kilpikonna", "89.03%"]
    assert rows.nth(2).locator("meter").evaluate("m => m.value") == 0.8903
    languages = page.locator(".engine").nth(0).locator(".languages").inner_text()
    assert languages == "Languages: en, fi"
    google = page.locator("table.confidence[data-engine=google_tagging] tbody tr")
    assert google.nth(0).locator("td").first.inner_text() == "Sea turtle"
    assert page.locator("#context").inner_text().split("\n")[0] == "alt\ta turtle"
    screenshot(page, "categorization")


def test_an_xss_tag_renders_as_text(app: Flask, page: Page, server: EmulatorServer) -> None:
    api_upload(app, SAMPLE.read_bytes(), "sample.jpg", public_id=f"x{XSS}", tags=f"{XSS},plain",
               context="alt=<img src=x onerror=alert(2)>")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/console/demo")
    assert XSS in page.locator("#tags .chip").all_inner_texts()
    assert f"x{XSS}" in _grid_ids(page)
    page.locator("#grid .public-id", has_text="x<script>").click()
    assert page.locator("h1.title").inner_text() == f"x{XSS}"
    assert page.locator("#resource-tags .chip").all_inner_texts() == [XSS, "plain"]
    assert page.locator("#context td").inner_text() == "<img src=x onerror=alert(2)>"
    assert page.evaluate("document.querySelectorAll('script, #context img').length") == 0
    page.locator("#resource-tags .chip", has_text="<script>").click()  # the tag filter takes it as text
    assert _grid_ids(page) == [f"x{XSS}"]
    assert page.locator(".filter-value").inner_text() == XSS
    screenshot(page, "xss-as-text")
    assert dialogs == []
