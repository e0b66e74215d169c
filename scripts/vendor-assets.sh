#!/usr/bin/env bash
# Refresh the vendored GOV.UK Frontend and htmx files from the npm registry (versions pinned in
# package.json). The files are committed, so neither `make demo` nor CI needs npm; run this (`make assets`)
# only to upgrade. The compiled CSS points at /assets/; it is rewritten to where Django serves the files.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
dist="$work/node_modules/govuk-frontend/dist/govuk"
out=openmash/web/static/vendor
rm -rf "$out"
mkdir -p "$out/govuk" "$out/htmx"
# GDS Transport is licensed for GOV.UK services only; OpenMASH runs on councils' and forces' own domains,
# so the Sass is rebuilt with the system font stack the Design System documents for such services.
cat > "$work/openmash.scss" <<'SCSS'
@use "govuk-frontend/dist/govuk" as * with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/static/vendor/govuk/assets/"
);
SCSS
(cd "$work" && npx sass --quiet --style=compressed --no-source-map --load-path=node_modules openmash.scss govuk-frontend.min.css)
cp "$work/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$out/govuk/"
mkdir -p "$out/govuk/assets"
cp -r "$dist/assets/images" "$dist/assets/manifest.json" "$out/govuk/assets/"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$work/node_modules/htmx.org/LICENSE" "$out/htmx/LICENSE"
echo "Vendored govuk-frontend $(node -p "require('$work/node_modules/govuk-frontend/package.json').version") and htmx $(node -p "require('$work/node_modules/htmx.org/package.json').version") into $out"
