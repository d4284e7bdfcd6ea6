#!/usr/bin/env bash
# The tuning sweep behind the firm topic defaults: one change at a time from the defaults, on 2021Q1
# (40 Motley calls), so the 2021Q2 tables stay out of the tuning. One process, one table.
set -euo pipefail
cd "$(dirname "$0")/../.."
node --import @callthemes/common/register-source bench/quality/sweep.ts --source motley-json --quarter 2021Q1 --firms 40 --models '[
  {"minTopicDf":1,"qaWords":false,"speakerNames":false}, {}, {"seed":7}, {"seed":11},
  {"minTopicDf":1}, {"minTopicDf":2}, {"minTopicDf":5}, {"qaWords":false,"speakerNames":false},
  {"spectralIterations":40}, {"nEpochs":200}, {"minSamples":2}, {"maxTopicShare":1}, {"minClusterSize":10},
  {"ngramMax":1}, {"minDf":5}, {"reduceFrequentWords":true}, {"bm25Weighting":true}, {"selection":"leaf"},
  {"reducer":"none"}]'
