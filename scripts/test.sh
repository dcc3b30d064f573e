#!/usr/bin/env bash
# The README's second command: set up, check generated code and types, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# proto/gen is committed: it must be what `npm run gen` makes from proto/.
npm run gen --silent >/dev/null 2>&1
git diff --exit-code --stat -- proto/gen || { echo "test: proto/gen is stale: run npm run gen and commit it" >&2; exit 1; }
npm run lint --silent
npm test
