#!/usr/bin/env bash
# Installs the Debian packages FVI needs (fonts with Vietnamese glyphs). Idempotent and quick when done.
set -euo pipefail

packages=(fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-noto-core fonts-roboto-unhinted fonts-freefont-ttf)
# More families (fvi/synth/fonts.py): "extra" ones the reader trains on from v7, "unseen" ones no model trains on.
packages+=(fonts-lato fonts-inter fonts-crosextra-carlito fonts-texgyre fonts-linuxlibertine fonts-jetbrains-mono
           fonts-open-sans fonts-cantarell)
# Deployment tests: `docker-compose -f FILE config` validates the compose files offline (no engine needed).
packages+=(docker-compose)
# `fvi bench`: perf_analyzer (from tritonclient 2.50) links libb64; Tesseract 5 (vie) is its OCR baseline.
packages+=(libb64-0d tesseract-ocr tesseract-ocr-vie)

# Gateway web page test (tests/e2e/test_web_page.py): headless Chromium driven by chromedriver.
packages+=(chromium chromium-driver)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing system packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
