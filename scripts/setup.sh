#!/usr/bin/env bash
# npm run setup: everything `npm run demo` and `npm test` need, on a fresh clone.
#   1. Node.js: the version in .nvmrc (24) is the one the workflows and the tests use; an older
#      one that still runs the code (20.19 or newer) gets a warning, anything older stops here.
#   2. node_modules: `npm ci` when missing or older than package-lock.json.
#   3. A headless Chromium that starts: CHROMIUM_PATH, Playwright's Chromium or a system Chromium;
#      else `npx playwright install chromium`; else (root or sudo, with apt-get) `apt-get install chromium`;
#      else it says exactly what to install.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '%s\n' "$*"; }
fail() {
  printf '\nsetup: %s\n' "$*" >&2
  exit 1
}

# 1. Node.js
want="$(tr -d ' \n\r' < .nvmrc)"
if ! command -v node >/dev/null 2>&1; then
  fail "Node.js is not installed. Install Node.js $want (https://nodejs.org, or nvm install: it reads .nvmrc), then run npm run setup again."
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  fail "Node.js $(node --version) is too old: this project is tested on Node.js $want (.nvmrc; e.g. nvm install)."
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$want" ]; then
  say "Node.js $(node --version): ok."
else
  say "Node.js $(node --version): it should run, but the workflows and the tests use Node.js $want (.nvmrc): nvm install && nvm use to match."
fi

# 2. Dependencies
if [ ! -f node_modules/.package-lock.json ]; then
  say "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "package-lock.json changed since the last install: reinstalling (npm ci)..."
  npm ci --no-audit --no-fund
else
  say "Dependencies: ok (node_modules matches package-lock.json)."
fi

# 3. A browser
check_browser() { node_modules/.bin/tsx scripts/check-browser.ts; }

if check_browser; then
  say "Ready: npm run demo"
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  fail "CHROMIUM_PATH=$CHROMIUM_PATH does not start a browser. Point it at a Chromium or Chrome executable, or unset it and run npm run setup again."
fi

say "Installing Playwright's Chromium (npx playwright install chromium)..."
if npx playwright install chromium && check_browser; then
  say "Ready: npm run demo"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
  say "Installing Chromium from the system packages (apt-get install chromium)..."
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium ||
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium-browser || true
  if check_browser; then
    say "Ready: npm run demo"
    exit 0
  fi
fi

fail "no browser could be installed automatically. Do one of these, then run npm run setup again:
  npx playwright install --with-deps chromium   (Playwright's Chromium and its system libraries; may need sudo)
  sudo apt-get install chromium                 (Debian, Ubuntu: the system Chromium at /usr/bin/chromium)
  export CHROMIUM_PATH=/path/to/chromium        (any Chromium or Chrome already on this machine)"
