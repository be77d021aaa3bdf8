#!/bin/sh
# Renders the simulate HTML report of the README's canary in headless
# Chromium and writes docs/simulate-report.png (the README shows it). Needs a
# chromium binary (Debian: apt-get install chromium); not part of the tests.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./target/release/meshctl simulate fixtures/simulate/reviews.yaml \
    --scenario fixtures/scenarios/reviews-canary.yaml \
    --slo 'v2: p99 < 300ms' --slo 'errors < 1%' --html "$out/report.html" >/dev/null || true
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1000,1500 --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
test -s "$out/report.png"
cp "$out/report.png" docs/simulate-report.png
echo "wrote docs/simulate-report.png"
