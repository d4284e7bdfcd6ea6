#!/usr/bin/env bash
# The per-firm topic tables of BENCHMARKS.md for 2021Q2: layout/reduction speed, firm speed, the BERTopic peer run
# on all Motley 2021Q2 calls, and quality for both sources. Run on its own: the machine is shared.
# Needs ../shared/data and, for the peer table, the venv from bench/peer/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
node --import @callthemes/common/register-source bench/firm/reduce.ts --source motley-json --quarter 2021Q2 --repeats 3
node --import @callthemes/common/register-source bench/firm/run.ts --source motley-json --quarter 2021Q2 --repeats 3
# BERTopic at its defaults, with stop words removed as its FAQ advises, with callthemes's call stop words, and with
# callthemes's settings; callthemes at its defaults and, for the like-for-like NPMI grid, with BERTopic's
# vocabularies and at BERTopic's granularity (min size 25 without the size cap: ~4 topics per call).
node --import @callthemes/common/register-source bench/peer/run.ts --source motley-json --quarter 2021Q2 \
  --configs default,default-stopwords,default-callwords,matched \
  --ours-models '[{"stopWords":"english"},{"stopWords":"none"},{"minClusterSize":25,"maxTopicShare":1},
    {"minClusterSize":25,"maxTopicShare":1,"stopWords":"english"},{"minClusterSize":25,"maxTopicShare":1,"stopWords":"none"}]'
node --import @callthemes/common/register-source bench/quality/run.ts --source motley-json --quarter 2021Q2
node --import @callthemes/common/register-source bench/quality/run.ts --source ectsum --quarter 2021Q2
