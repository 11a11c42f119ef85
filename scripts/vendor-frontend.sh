#!/usr/bin/env bash
# Vendors Haven's front-end libraries from the npm registry as built files
# with their licences under internal/web/static/vendor/, where they are
# committed and embedded in the binary. Needs npm only when run; building
# and running Haven never needs Node.
#
# Usage: scripts/vendor-frontend.sh   (then review and commit the result)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=internal/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name version files-from-package (relative to package/)
packages=(
  "leaflet 1.9.4 dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png LICENSE"
  # The "simple" build: line, bar and pie charts with the dataset and aria
  # components (168 KB gzipped; the full build is 368 KB), enough for the
  # dashboard, whose legends, tooltips and tables are HTML.
  "echarts 6.1.0 dist/echarts.simple.min.js LICENSE NOTICE"
)

for spec in "${packages[@]}"; do
  read -r name version files <<<"$spec"
  echo "vendoring $name@$version"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tgz="$work/$name-$version.tgz"
  mkdir -p "$work/$name"
  tar -xzf "$tgz" -C "$work/$name"
  rm -rf "${dest:?}/$name"
  for f in $files; do
    out="$dest/$name/${f#dist/}"
    mkdir -p "$(dirname "$out")"
    cp "$work/$name/package/$f" "$out"
  done
  sha=$(sha256sum "$tgz" | cut -d' ' -f1)
  printf '%s@%s from the npm registry, tarball sha256 %s, vendored %s\n' "$name" "$version" "$sha" "$(date -u +%Y-%m-%d)" >"$dest/$name/VERSION"
done
echo "done; review with: git status $dest"
