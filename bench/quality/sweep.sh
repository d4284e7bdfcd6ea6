#!/usr/bin/env bash
# The tuning sweep behind the firm topic defaults: one change at a time from the defaults, on 2021Q1
# (40 Motley calls), so the 2021Q2 tables stay out of the tuning.
set -euo pipefail
cd "$(dirname "$0")/../.."
for m in '{}' '{"nEpochs":200}' '{"minSamples":3}' '{"maxTopicShare":1}' '{"selection":"leaf"}' \
  '{"reducer":"none"}' '{"keywordDiversity":0.1}'; do
  npx tsx bench/quality/run.ts --source motley-json --quarter 2021Q1 --firms 40 --model "$m" | grep -E "model|callthemes"
done
