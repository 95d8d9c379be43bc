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
# Three paragraphs on stations (the main theme), one that mentions care for workers in need.
STATIONS = ["市总工会建成工会驿站24家。", "驿站配备饮水机、微波炉和充电设施，户外劳动者可以歇脚。",
            "驿站为环卫工人提供热水和休息场所。", "工会还为困难职工送去慰问金。"]
TOKEN = "desk-7f3a"


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
    # The page asks for explanations, which halve TAGGER_MAX_TOTAL_CHARS (100,000).
    assert '<textarea id="text"' in html and 'maxlength="50000"' in html
    assert '<button type="submit"' in html


def test_page_asks_for_the_feedback_token_only_when_one_is_set(client, model_dir):
    assert 'id="feedback-token"' not in client.get("/").get_data(as_text=True)
    guarded = create_app({"MODEL_DIR": str(model_dir), "FEEDBACK_TOKEN": TOKEN}).test_client()
    assert 'id="feedback-token"' in guarded.get("/").get_data(as_text=True)


def test_page_allows_only_its_own_origin(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/style.css"])
def test_page_and_assets_name_no_other_site(client, path):
    with client.get(path) as response:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text)


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def server_url(app):
    yield from _serve(app)


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


def _tag(page, text: str) -> None:
    page.fill("#text", text)
    page.click("#submit")
    page.wait_for_selector("#results:not([hidden])")


def _themes(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("items => items.map(i => i.dataset.theme)")


def _records(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_browser_shows_article_themes_with_scores(page, server_url, requested):
    _tag(page, "\n".join(STATIONS))
    assert _themes(page, "#themes li.theme") == ["worker_station", "worker_care"]
    assert "工会驿站" in page.inner_text("#themes")
    assert re.search(r"0\.\d\d|1\.00", page.inner_text("#themes .score"))
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(server_url).netloc}


def test_browser_shows_main_themes_apart_from_those_only_mentioned(page):
    _tag(page, "\n".join(STATIONS))
    assert page.inner_text("#main-group h3") == "主要主题"
    assert _themes(page, "#main-themes > li") == ["worker_station"]
    assert page.inner_text("#mentioned-group h3") == "提及的主题"
    assert _themes(page, "#mentioned-themes > li") == ["worker_care"]


def test_browser_hides_the_mentioned_group_when_every_theme_is_main(page):
    _tag(page, STATIONS[0])
    assert _themes(page, "#main-themes > li") == ["worker_station"]
    assert page.is_hidden("#mentioned-group")


def test_browser_highlights_paragraphs_and_their_terms(page):
    _tag(page, ARTICLE)
    second = page.locator("#paragraphs > li").nth(1)
    assert "工会驿站" in second.locator(".chip").inner_text()
    assert "驿站" in "".join(second.locator("mark").all_inner_texts())
    station = page.locator('#themes li[data-theme="worker_station"]')
    assert "驿站" in station.locator(".up").first.inner_text()


def test_browser_says_when_no_theme_is_found(page):
    _tag(page, "  ")
    assert page.is_visible("#no-themes")
    assert page.locator("#themes li").count() == 0
    assert page.is_hidden("#main-group") and page.is_hidden("#mentioned-group")


def test_browser_shows_the_error_of_a_refused_text(page):
    page.evaluate("document.getElementById('text').removeAttribute('maxlength')")
    page.fill("#text", "a" * 100_001)
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "100000" in page.inner_text("#error")


def test_browser_corrects_one_paragraph_with_its_themes(page, feedback_file):
    before = len(_records(feedback_file))
    _tag(page, "\n".join(STATIONS))
    third = page.locator("#paragraphs > li").nth(2)
    third.locator("summary").click()
    boxes = third.locator("input[name=theme]")
    assert boxes.count() == 13
    assert boxes.evaluate_all("bs => bs.filter(b => b.checked).map(b => b.value)") == [
        "worker_station"]
    third.locator('input[value="worker_care"]').check()
    page.fill("#editor", "王编辑")
    third.locator(".send-feedback").click()
    third.locator(".feedback-status:has-text('已保存')").wait_for()
    [record] = _records(feedback_file)[before:]
    assert (record["text"], record["labels"], record["editor"]) == (
        STATIONS[2], ["worker_station", "worker_care"], "王编辑")


def test_no_control_of_the_page_sends_the_whole_article(page):
    sent = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data))
            if r.url.endswith("/v1/feedback") else None)
    _tag(page, "\n".join(STATIONS))
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    buttons = page.locator("button:not(#submit), input[type=submit]")
    assert buttons.count() == len(STATIONS)
    for n in range(buttons.count()):
        buttons.nth(n).click()
    page.locator(".feedback-status", has_text="已保存").nth(len(STATIONS) - 1).wait_for()
    assert sorted(body["text"] for body in sent) == sorted(STATIONS)


@pytest.fixture(scope="module")
def guarded_feedback(tmp_path_factory):
    return tmp_path_factory.mktemp("guarded") / "feedback.jsonl"


@pytest.fixture(scope="module")
def guarded_url(model_dir, guarded_feedback):
    """A server whose corrections need TOKEN."""
    app = create_app({"MODEL_DIR": str(model_dir), "FEEDBACK_FILE": str(guarded_feedback),
                      "FEEDBACK_TOKEN": TOKEN})
    yield from _serve(app)


def test_browser_sends_the_feedback_token_the_editor_entered(browser, guarded_url,
                                                             guarded_feedback):
    context = browser.new_context()
    page = context.new_page()
    page.goto(guarded_url + "/")
    _tag(page, ARTICLE)
    second = page.locator("#paragraphs > li").nth(1)
    second.locator("summary").click()
    second.locator(".send-feedback").click()
    second.locator(".feedback-status:has-text('请先填写口令')").wait_for()
    page.fill("#feedback-token", "wrong")
    second.locator(".send-feedback").click()
    second.locator(".feedback-status:has-text('发送失败')").wait_for()
    assert not guarded_feedback.exists()
    page.fill("#feedback-token", TOKEN)
    second.locator(".send-feedback").click()
    second.locator(".feedback-status:has-text('已保存')").wait_for()
    context.close()
    [record] = _records(guarded_feedback)
    assert (record["text"], record["labels"]) == ("建成工会驿站24家。", ["worker_station"])
