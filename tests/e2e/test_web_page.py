"""The web page at / in headless Chromium: upload a generated card, wait for the field table, and
check it shows the ID number the API returns for the same photo. Keeps a screenshot."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian chromium and chromium-driver (scripts/install-system-deps.sh)")


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_upload_on_the_page_shows_the_id_number_the_api_returns(browser, gateway, client, card, tmp_path_factory):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    photo = tmp_path_factory.mktemp("upload") / "card.jpg"
    photo.write_bytes(card.jpeg)
    api = client.post("/v1/ocr", files={"image": ("card.jpg", card.jpeg, "image/jpeg")}).json()

    browser.get(gateway.url + "/")
    browser.find_element(By.ID, "file").send_keys(str(photo))
    cell = WebDriverWait(browser, 60).until(
        seen.visibility_of_element_located((By.CSS_SELECTOR, '#fields tr[data-field="id_number"] td.text')))
    assert cell.text == api["fields"]["id_number"]["text"]
    assert browser.find_element(By.ID, "card").text.startswith(f"{api['card_type']} / {api['side']}")
    shown = [row.get_attribute("data-field") for row in browser.find_elements(By.CSS_SELECTOR, "#fields tbody tr")]
    assert shown == list(api["fields"])
    image = browser.find_element(By.ID, "annotated")
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    assert browser.execute_script("return arguments[0].naturalWidth", image) == card.label.width

    artifacts = Path(os.environ.get("FVI_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(artifacts / "gateway-web.png"))
    if os.environ.get("FVI_UPDATE_DOCS_IMAGES"):  # refresh the README's picture on purpose only
        browser.save_screenshot(str(ROOT / "docs" / "images" / "gateway-web.png"))


def test_the_page_uses_no_external_resource(client):
    page = client.get("/").text + client.get("/static/app.js").text + client.get("/static/style.css").text
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
