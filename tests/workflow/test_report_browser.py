"""report.html in a real browser: Debian's headless Chromium, driven by Playwright.

The report of a finished run is opened from disk (a file:// URL), once at desktop width and once at
phone width. Each test checks both: the page has a title and a heading, logs no console errors and
throws no script errors, fetches nothing but itself, every image loaded, every section is there and
visible in reading order, and nothing pushes the page wider than the screen. Full-page screenshots of
both go to test-artifacts/ (saved before the checks run, so they are there when a check fails).

Playwright never downloads a browser here (never run `playwright install`): it drives the system's
/usr/bin/chromium (`apt-get install chromium`; .ci/run installs it on CI).
"""

from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import ARTIFACTS, TIMEOUT_MS

# The report's <section id="..."> elements, in reading order.
SECTIONS = [
    "data",
    "architecture",
    "forward",
    "loss",
    "backward",
    "update",
    "training",
    "results",
    "mistakes",
    "units",
    "saliency",
    "playground",
    "yours",
    "step",
    "config",
    "performance",
]

# A full-page picture of the report (about 24,000 px tall) takes 2 s here, even with both cores busy,
# but ran past the 15 s of a page operation in one CI run. It is an artifact, not a check of the page:
# it gets more time, and if it still fails, only its own test fails.
FULL_PAGE_SCREENSHOT_TIMEOUT_MS = 90_000

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}


@dataclass
class OpenedReport:
    """A loaded report and what the browser said while loading it."""

    page: Page
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot_error: str = ""


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def report(request, chromium, finished_run, browser) -> OpenedReport:
    """The finished run's report.html, loaded at one viewport size, with a full-page screenshot saved."""
    # `chromium` is named first so that a missing browser skips before the slow workflow run, not after.
    name = request.param
    context = browser.new_context(**VIEWPORTS[name])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    opened = OpenedReport(page=page, screenshot=ARTIFACTS / f"report-{name}.png")
    page.on("console", lambda message: message.type == "error" and opened.console_errors.append(describe(message)))
    page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    page.on("request", lambda req: opened.requests.append(req.url))

    page.goto((finished_run / "report.html").as_uri(), wait_until="load", timeout=TIMEOUT_MS)
    wait_for_images(page)
    try:  # a picture that cannot be taken fails its own test below, not every check of the page
        page.screenshot(path=opened.screenshot, full_page=True, timeout=FULL_PAGE_SCREENSHOT_TIMEOUT_MS)
        print(f"\nscreenshot of the report at {name} size: {opened.screenshot}")
    except PlaywrightTimeoutError as error:
        opened.screenshot_error = str(error).splitlines()[0]
    yield opened
    context.close()


def describe(message: ConsoleMessage) -> str:
    where = message.location
    return f"{message.text} (at {where.get('url', '?')[-80:]}:{where.get('lineNumber', '?')})"


def wait_for_images(page: Page) -> None:
    """Have every image load (lazy ones wait to be scrolled to) and give them all time to finish.

    One script for all of them: a round trip per image took half a minute for a class's 600.
    """
    page.evaluate("for (const image of document.images) image.loading = 'eager'")
    with suppress(PlaywrightTimeoutError):  # the image test reports which ones never finished
        page.wait_for_function("[...document.images].every(img => img.complete)", timeout=TIMEOUT_MS)
    page.evaluate("window.scrollTo(0, 0)")


def test_the_report_opens_from_disk_with_a_title_and_a_heading(report):
    page = report.page
    assert page.url.startswith("file://")
    assert page.title().strip(), "the page has no <title>"
    headings = page.locator("h1")
    assert headings.count() >= 1, "the page has no <h1>"
    assert headings.first.inner_text().strip(), "the <h1> is empty"


def test_the_report_logs_no_console_errors_and_throws_no_page_errors(report):
    errors = [f"console: {text}" for text in report.console_errors] + [f"uncaught: {text}" for text in report.page_errors]
    assert errors == [], "the browser reported errors:\n" + "\n".join(errors)


def test_the_report_fetches_nothing_but_itself(report):
    outside = [url for url in report.requests if not url.startswith(("file:", "data:"))]
    assert outside == [], f"the report is meant to be self-contained but asked for {outside}"


def test_every_image_loaded_and_has_a_natural_width(report):
    images = report.page.evaluate(
        """[...document.images].map(img => ({
            name: img.alt || '(no alt) ' + img.src.slice(0, 60),
            complete: img.complete,
            naturalWidth: img.naturalWidth,
        }))"""
    )
    assert images, "the report has no images at all"
    broken = [image["name"] for image in images if not image["complete"] or image["naturalWidth"] == 0]
    assert broken == [], f"{len(broken)} of {len(images)} images did not load: {broken}"


def test_every_section_is_present_visible_and_in_reading_order(report):
    page = report.page
    found = page.evaluate("[...document.querySelectorAll('section[id]')].map(section => section.id)")
    missing = [name for name in SECTIONS if name not in found]
    assert missing == [], f"sections missing: {missing} (the report has {found})"
    hidden = [name for name in SECTIONS if not page.locator(f"section#{name}").first.is_visible()]
    assert hidden == [], f"sections present but not visible: {hidden}"
    in_report_order = [name for name in found if name in SECTIONS]
    assert in_report_order == SECTIONS, f"sections out of order: expected {SECTIONS}, the report has {in_report_order}"


def test_nothing_makes_the_page_wider_than_the_screen(report):
    # Wide tables and code may scroll inside their own box; the page itself must not scroll sideways.
    # Compared with the viewport we asked for: a phone zooms out to fit a too-wide page, which widens window.innerWidth.
    screen = report.page.viewport_size["width"]
    widths = report.page.evaluate("({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= min(screen, widths["inner"]) + 1, f"the page is {widths['page']} px wide on a {screen} px screen"


def test_the_screenshot_is_saved_as_a_test_artifact(report):
    assert not report.screenshot_error, report.screenshot_error
    assert report.screenshot.stat().st_size > 10_000, f"{report.screenshot} looks empty"
