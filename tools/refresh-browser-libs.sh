#!/usr/bin/env bash
# Refreshes the browser libraries under src/BusinessInbox.Web/wwwroot/lib from npm,
# at the versions named in src/BusinessInbox.Web/package.json.
set -euo pipefail
web="$(cd "$(dirname "$0")/../src/BusinessInbox.Web" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$web/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
lib="$web/wwwroot/lib"
rm -rf "$lib" && mkdir -p "$lib/bootstrap" "$lib/signalr" "$lib/chart.js"
cp "$work/node_modules/bootstrap/dist/css/bootstrap.min.css" "$lib/bootstrap/"
cp "$work/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js" "$lib/bootstrap/"
cp "$work/node_modules/bootstrap/LICENSE" "$lib/bootstrap/"
cp "$work/node_modules/@microsoft/signalr/dist/browser/signalr.min.js" "$lib/signalr/"
cp "$work/node_modules/@microsoft/signalr/LICENSE.txt" "$lib/signalr/" 2>/dev/null || true
cp "$work/node_modules/chart.js/dist/chart.umd.min.js" "$lib/chart.js/" 2>/dev/null || cp "$work/node_modules/chart.js/dist/chart.umd.js" "$lib/chart.js/"
cp "$work/node_modules/chart.js/LICENSE.md" "$lib/chart.js/"
node -e '
const p=require(process.argv[1]+"/package.json");const fs=require("fs");
const v={};for(const n of Object.keys(p.dependencies)){v[n]=require(process.argv[2]+"/node_modules/"+n+"/package.json").version}
fs.writeFileSync(process.argv[1]+"/wwwroot/lib/VERSIONS.json", JSON.stringify(v,null,2)+"\n")' "$web" "$work"
echo "browser libraries refreshed:"; cat "$lib/VERSIONS.json"
