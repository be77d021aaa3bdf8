#!/usr/bin/env bash
# meshctl validate side by side with the npm peer (js-yaml + AJV validators
# from Istio's CRDs), on the corpora of ../shared/bench, in one interleaved
# run: the machines are shared and noisy, so compare medians of CPU time
# (user + sys) and peak memory, never single wall times.
#
#   benches/peers.sh [RUNS]        (default 5 runs of each)
#
# Needs ../shared/bench beside the repository, python3, node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
kit=../shared/bench
[ -d "$kit" ] || { echo "benches/peers.sh: $kit not found" >&2; exit 2; }

cargo build --release --quiet
meshctl=$PWD/target/release/meshctl
if [ ! -d "$kit/npm-peer/node_modules" ]; then
  (cd "$kit/npm-peer" && npm ci --silent)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$kit/gen_vs.py" --docs 10000 --out "$work/vs-10k.yaml" >/dev/null
python3 "$kit/gen_vs.py" --docs 20000 --out "$work/vs-20k.yaml" >/dev/null
python3 "$kit/gen_vs.py" --mb 50 --out "$work/vs-50mb.yaml" >/dev/null
python3 "$kit/gen_mixed.py" --resources 10000 --out "$work/mixed-10k.yaml" >/dev/null

# One timed run: prints "CPU-seconds peak-KiB" (time's last line: the first
# says so when the command exits non-zero, as validate does on findings).
timed() {
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time" | awk '{printf "%.3f %d\n", $1 + $2, $3}'
}

printf '| work | input | meshctl CPU, peak | npm CPU, peak | CPU ratio |\n|---|---|---|---|---|\n'
for corpus in vs-10k vs-20k vs-50mb mixed-10k; do
  file="$work/$corpus.yaml"
  case $corpus in
    mixed-*) peer=(node "$kit/npm-peer/validate-mixed.mjs" "$file") ;;
    *) peer=(node "$kit/npm-peer/validate.mjs" "$file") ;;
  esac
  : >"$work/ours"
  : >"$work/theirs"
  for _ in $(seq "$runs"); do
    timed "$meshctl" validate --format json "$file" >>"$work/ours"
    timed "${peer[@]}" >>"$work/theirs"
  done
  python3 - "$corpus" "$file" "$work/ours" "$work/theirs" <<'EOF'
import os, statistics, sys
corpus, path, ours, theirs = sys.argv[1:]
def read(p):
    rows = [l.split() for l in open(p) if l.strip()]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
(c1, m1), (c2, m2) = read(ours), read(theirs)
mb = os.path.getsize(path) / 1e6
ratio = f"{c2 / c1:.1f}x less" if c1 <= c2 else f"{c1 / c2:.1f}x MORE"
times = m1 * 1024 / os.path.getsize(path)
print(f"| validate {corpus} | {mb:.1f} MB | {c1:.2f} s, {m1 / 1024:.0f} MiB ({times:.1f}x input) "
      f"| {c2:.2f} s, {m2 / 1024:.0f} MiB | {ratio} |")
EOF
done
