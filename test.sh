#!/usr/bin/env bash
# The test command: installs what the browser tests need when it is missing (Debian's Chromium
# and fonts, as root), checks that the published app starts as a non-root user (what the
# Dockerfile does), then runs every test project and ends with one line "N passed, N failed".
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

# The container check without a container engine: the Dockerfile's `dotnet publish`, started as a
# non-root user on an empty data folder, must answer /healthz and print the URL it listens on.
smoke_check() {
    local work port pid status=1
    work="$(mktemp -d)"
    chmod 755 "$work"
    echo "Smoke check: dotnet publish, then start the published app as a non-root user ..."
    if ! dotnet publish src/BusinessInbox.Web -c Release -o "$work/app" -nologo >"$work/publish.log" 2>&1; then
        cat "$work/publish.log"
        echo "Smoke check FAILED: dotnet publish did not succeed."
        rm -rf "$work"
        return 1
    fi
    mkdir -p "$work/data" "$work/home"
    chmod -R a+rX "$work/app"
    local as_user=()
    if [ "$(id -u)" -eq 0 ]; then
        chown nobody "$work/data" "$work/home"
        as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    # A free loopback port: one nothing answers on.
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    done
    (cd "$work/app" && exec "${as_user[@]}" env HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        Storage__DataPath="$work/data" ASPNETCORE_URLS="http://127.0.0.1:$port" \
        dotnet BusinessInbox.Web.dll) >"$work/app.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
            status=0
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if [ "$status" -eq 0 ] && ! grep -q "Now listening on: http://127.0.0.1:$port" "$work/app.log"; then
        echo "The app did not print the URL it listens on."
        status=1
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ "$status" -eq 0 ]; then
        echo "Smoke check passed: the published app answered /healthz on port $port as $(if [ ${#as_user[@]} -gt 0 ]; then echo nobody; else id -un; fi)."
    else
        cat "$work/app.log"
        echo "Smoke check FAILED: the published app did not answer /healthz."
    fi
    rm -rf "$work"
    return "$status"
}

smoke_check
smoke=$?

# The benchmark's quick mode as a smoke test: it must seed, start the app and answer every read path
# without an error. Its figures are printed, never asserted (see the README's Performance section).
echo "Benchmark, quick mode ..."
dotnet run --project bench/BusinessInbox.Bench -c Release -- quick
bench=$?

log="$(mktemp)"
dotnet test BusinessInbox.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 6, Skipped: 0, ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
rm -f "$log"
# The smoke check and the benchmark's quick run count as one test each.
for check in "$smoke" "$bench"; do
    if [ "$check" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        [ "$status" -eq 0 ] && status=1
    fi
done
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
