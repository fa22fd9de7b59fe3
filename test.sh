#!/usr/bin/env bash
# The test command: installs what the browser tests need when it is missing (Debian's Chromium
# and fonts, as root), then runs every test project and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "Installing ${need[*]} ..."
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "Missing ${need[*]}: run this script as root once (it installs them with apt-get), or install them yourself." >&2
    fi
fi

# Code that reads the machine's local zone instead of the business's fails somewhere under a non-UTC zone.
export TZ="${TZ:-America/Sao_Paulo}"

log="$(mktemp)"
dotnet test BusinessInbox.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 6, Skipped: 0, ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
