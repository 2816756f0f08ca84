#!/bin/sh
# Rebuilds the staff pages' assets (../sendflow.css, ../govuk-frontend.min.js) from the GOV.UK
# Frontend version pinned in package-lock.json. The output is committed and embedded in the
# binary, so sendflow serves every style sheet and script itself (no CDN) and this only runs
# when the pinned version or main.scss changes. Needs node and npm.
#
# GOV.UK Frontend is used without GOV.UK branding, as its guidance asks of services that are not
# on GOV.UK: the typeface is Arial (GDS Transport is for GOV.UK only; no fonts are shipped) and
# the pages never use the crown, the crest or the GOV.UK logo.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
version=$(node -p 'require("./node_modules/govuk-frontend/package.json").version')
npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps main.scss ../sendflow.css
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js ../govuk-frontend.min.js
# The compiled style sheet must not ask for GOV.UK's typeface or images.
if grep -q "GDS Transport" ../sendflow.css; then echo "build.sh: GDS Transport in sendflow.css" >&2; exit 1; fi
if grep -q "url(" ../sendflow.css; then
	# Only the crest of the GOV.UK footer (a component the pages do not use) may be referred to.
	if grep -o 'url([^)]*)' ../sendflow.css | grep -v govuk-crest >/dev/null; then
		echo "build.sh: sendflow.css refers to an image or font sendflow does not serve" >&2; exit 1
	fi
fi
printf '%s\n' "$version" > ../VERSION
echo "build.sh: built from govuk-frontend $version"
