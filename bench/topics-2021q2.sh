#!/usr/bin/env bash
# The per-firm topic tables of BENCHMARKS.md for 2021Q2: layout/reduction speed, firm speed, the BERTopic peer run
# on all Motley 2021Q2 calls, and quality for both sources. Run on its own: the machine is shared.
# Needs ../shared/data and, for the peer table, the venv from bench/peer/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx bench/firm/reduce.ts --source motley-json --quarter 2021Q2 --repeats 3
npx tsx bench/firm/run.ts --source motley-json --quarter 2021Q2 --repeats 3
npx tsx bench/peer/run.ts --source motley-json --quarter 2021Q2
npx tsx bench/quality/run.ts --source motley-json --quarter 2021Q2
npx tsx bench/quality/run.ts --source ectsum --quarter 2021Q2
