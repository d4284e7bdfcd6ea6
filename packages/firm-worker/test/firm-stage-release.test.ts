/**
 * An endpoint scaling up from zero is not a firm's fault: the firm stage lets EndpointScalingError through (the
 * worker releases the partition) instead of recording the firm as a reject; any other classifier failure is one
 * `rejects` row for that firm and the partition goes on.
 */
import assert from 'node:assert/strict';
import { EndpointScalingError } from '@callthemes/common/inference/errors';
import { LocalLakeStore } from '@callthemes/common/lake';
import type { SentimentClassifier } from '@callthemes/common/sentiment';
import { LexiconClassifier } from '@callthemes/common/sentiment';
import { EctsumSource } from '@callthemes/common/sources';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { runFirmStage } from '../src/firm-stage.js';

const dir = tempDir('callthemes-firm-release-');
afterAll(() => dir.cleanup());

/** The lexicon, except for the n-th firm's sentences, where it throws `error`. */
function failingOn(nth: number, error: Error): SentimentClassifier {
  const lexicon = new LexiconClassifier();
  let calls = 0;
  return {
    model: lexicon.model,
    async classify(texts) {
      if (++calls === nth) throw error;
      return lexicon.classify(texts);
    },
  };
}

async function run(classifier: SentimentClassifier, lake: string) {
  const source = new EctsumSource(EXAMPLES_ECTSUM);
  const firms = (await source.listFirms('2021Q1')).firms.slice(0, 3);
  return runFirmStage({
    store: new LocalLakeStore(lake),
    source,
    quarter: '2021Q1',
    batch: 0,
    batchSize: 3,
    runId: 'release',
    flushEvery: 10,
    filter: { minTokens: 5 },
    classifier,
    firmIds: firms.map((f) => f.firmId),
  });
}

test('EndpointScalingError from the classifier escapes the firm stage; no firm is rejected for it', async () => {
  const err = new EndpointScalingError('backlog without capacity', 180_000);
  await assert.rejects(run(failingOn(2, err), `${dir.path}/scaling`), (e) => e === err);
});

test('any other classifier failure rejects that one firm with the reason, and the partition completes', async () => {
  const res = await run(failingOn(2, new Error('bad gateway')), `${dir.path}/other`);
  assert.deepEqual([res.firmsOk, res.firmsRejected], [2, 1]);
  assert.ok(res.manifest);
  assert.equal(res.manifest.rejects, 1);
});
