#!/usr/bin/env bash
# kill -9 at random points of installations that update pstat-impl and the USB provider, ROUNDS times (issue 12.2):
# after every kill the first start must be ready and report the version it runs. Prints one line per round.
# Usage: ROUNDS=25 bench/kill-series.sh   (after a build; about 12 s a round)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o verify -Dtest=NONE -DfailIfNoTests=false -Dsurefire.failIfNoSpecifiedTests=false -Ditest.check.skip=true \
  -Dit.test=KillSeriesIT -Dkill.rounds="${ROUNDS:-25}" | grep -E 'kill series|round [0-9]+:|Tests run:.*KillSeriesIT'
