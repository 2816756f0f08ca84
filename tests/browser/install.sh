#!/bin/sh
# Installs what the browser checks of the parent pages need (internal/app/browser_test.go):
# playwright-core and axe-core from npm, at the versions in package-lock.json. Idempotent: does
# nothing when they are installed at those versions. It never downloads a browser: the checks
# use Debian's Chromium (apt-get install -y chromium), found at /usr/bin/chromium or $CHROMIUM.
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "install.sh: node and npm are needed (apt-get install -y nodejs npm)" >&2
	exit 1
fi

# playwright-core never downloads browsers; the variable makes sure no package does.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
installed() {
	node -e '
		const lock = require("./package-lock.json").packages;
		for (const m of ["playwright-core", "axe-core"]) {
			const want = lock["node_modules/" + m].version;
			const have = require("./node_modules/" + m + "/package.json").version;
			if (have !== want) process.exit(1);
		}' 2>/dev/null
}
if installed; then
	echo "install.sh: playwright-core and axe-core are installed"
else
	npm ci --no-audit --no-fund --ignore-scripts
fi

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
	echo "install.sh: no Chromium at $chromium; install Debian's (apt-get install -y chromium) or set CHROMIUM" >&2
	echo "install.sh: until then the browser checks are skipped" >&2
fi
