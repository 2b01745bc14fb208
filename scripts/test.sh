#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (idempotent):
#   - the real-world OpenAPI corpora (npm registry, via ../shared/corpora/setup.sh or a copy),
#   - Chromium for the browser tests (Debian package; needs root, skipped with a note otherwise),
#   - the npm packages of the browser and lint tests (tests/js).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export PORTALGEN_CORPORA="${PORTALGEN_CORPORA:-${TMPDIR:-/tmp}/portalgen-corpora/node_modules}"
corpora_script="$root/../shared/corpora/setup.sh"
[ -f "$corpora_script" ] || corpora_script="$root/scripts/corpora-setup.sh"
if command -v npm >/dev/null 2>&1; then
  CORPORA="$(dirname "$PORTALGEN_CORPORA")" bash "$corpora_script" >/dev/null || echo "note: corpora could not be installed; corpus tests will skip" >&2
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium for the browser tests..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "note: chromium could not be installed; browser tests will skip" >&2
  else
    echo "note: chromium is not installed; browser tests will skip (apt-get install chromium)" >&2
  fi
fi

if command -v npm >/dev/null 2>&1 && [ -f tests/js/package.json ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >&2) || echo "note: npm packages could not be installed; browser and lint tests will skip" >&2
fi

# A test whose tool is missing calls skip() (tests/testsuite/common/mod.rs): it fails under
# PORTALGEN_REQUIRE_ALL=1 (CI) and otherwise appends a line to this file, printed at the end.
skip_log="${CARGO_TARGET_DIR:-$root/target}/portalgen-skipped.txt"
mkdir -p "$(dirname "$skip_log")"
: > "$skip_log"
export PORTALGEN_SKIP_LOG="$skip_log"

status=0
cargo test --all-targets "$@" || status=$?
if [ -s "$skip_log" ]; then
  echo >&2
  echo "$(wc -l < "$skip_log" | tr -d ' ') test(s) passed WITHOUT running (PORTALGEN_REQUIRE_ALL=1 makes them fail):" >&2
  sed 's/^/  /' "$skip_log" >&2
fi
exit "$status"
