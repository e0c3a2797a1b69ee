"""The README's picture of the report: report.html opened in headless Chromium, two sections side by side.

    .venv/bin/python scripts/bench/report_picture.py          # writes docs/report.png from ./report.html

Needs Debian's chromium (as the browser tests do); nothing is downloaded.
"""

import argparse
import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]
SECTIONS = ("#forward", "#yours")  # the forward pass, and the photos read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--report", type=Path, default=REPO / "report.html")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    args = parser.parse_args()
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 700})
        page.goto(args.report.resolve().as_uri(), wait_until="load")
        for section in SECTIONS:
            page.locator(section).scroll_into_view_if_needed()
            shots.append(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
        browser.close()
    width = sum(shot.width for shot in shots)
    picture = Image.new("RGB", (width, max(shot.height for shot in shots)), "white")
    left = 0
    for shot in shots:
        picture.paste(shot, (left, 0))
        left += shot.width
    picture.thumbnail((1400, 1400))
    picture.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
