"""The editors' page: served offline-ready, and working in a real headless chromium."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from service import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ARTICLE = "今年以来，全市新发展货车司机会员243人。\n建成工会驿站24家。"


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.jsonl"


@pytest.fixture(scope="module")
def app(model_dir, feedback_file):
    return create_app({"MODEL_DIR": str(model_dir), "ADMIN_TOKEN": None,
                       "FEEDBACK_FILE": str(feedback_file)})


@pytest.fixture
def client(app):
    return app.test_client()


def test_page_has_a_form_for_the_text(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<textarea id="text"' in html and 'maxlength="100000"' in html
    assert '<button type="submit"' in html


def test_page_allows_only_its_own_origin(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/style.css"])
def test_page_and_assets_name_no_other_site(client, path):
    with client.get(path) as response:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text)


@pytest.fixture(scope="module")
def server_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def requested() -> list[str]:
    return []


@pytest.fixture
def page(browser, server_url, requested):
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server_url + "/")
    yield page
    context.close()


def test_browser_shows_article_themes_with_scores(page, server_url, requested):
    page.fill("#text", ARTICLE)
    page.click("#submit")
    page.wait_for_selector("#themes > li")
    themes = page.locator("#themes > li")
    assert themes.count() == 2
    assert set(themes.evaluate_all("items => items.map(i => i.dataset.theme)")) == {
        "worker_station", "new_employment_membership"}
    assert "工会驿站" in page.inner_text("#themes")
    assert re.search(r"0\.\d\d", page.inner_text("#themes .score"))
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(server_url).netloc}


def test_browser_highlights_paragraphs_and_their_terms(page):
    page.fill("#text", ARTICLE)
    page.click("#submit")
    page.wait_for_selector("#paragraphs > li")
    second = page.locator("#paragraphs > li").nth(1)
    assert "工会驿站" in second.locator(".chip").inner_text()
    assert "驿站" in "".join(second.locator("mark").all_inner_texts())
    station = page.locator('#themes > li[data-theme="worker_station"]')
    assert "驿站" in station.locator(".up").first.inner_text()


def test_browser_says_when_no_theme_is_found(page):
    page.fill("#text", "  ")
    page.click("#submit")
    page.wait_for_selector("#no-themes:not([hidden])")
    assert page.locator("#themes > li").count() == 0


def test_browser_shows_the_error_of_a_refused_text(page):
    page.evaluate("document.getElementById('text').removeAttribute('maxlength')")
    page.fill("#text", "a" * 100_001)
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "100000" in page.inner_text("#error")


def test_browser_sends_an_editors_correction(page, feedback_file):
    page.fill("#text", ARTICLE)
    page.click("#submit")
    page.wait_for_selector("#correction:not([hidden])")
    assert page.is_checked('#feedback-themes input[value="worker_station"]')
    assert not page.is_checked('#feedback-themes input[value="worker_care"]')
    assert page.locator("#feedback-themes input").count() == 13
    page.uncheck('#feedback-themes input[value="new_employment_membership"]')
    page.check('#feedback-themes input[value="worker_care"]')
    page.fill("#editor", "王编辑")
    page.click("#send-feedback")
    page.wait_for_selector("#feedback-status:has-text('已保存')")
    [record] = [json.loads(line) for line in feedback_file.read_text(encoding="utf-8")
                .splitlines()]
    assert (record["text"], record["labels"], record["editor"]) == (
        ARTICLE, ["worker_station", "worker_care"], "王编辑")
