import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { classifierFor } from '../../src/inference/http-inference.js';
import { classifySettingsFrom, parseLabelMap, type ServiceFlags } from '../../src/inference/http-settings.js';
import { HttpClassifier } from '../../src/sentiment/http-classifier.js';
import { LEXICON_MODEL } from '../../src/sentiment/lexicon-classifier.js';

/** The classify kind of the Inference port from the settings: served, or the offline lexicon. */
const createClassifier = (flags: ServiceFlags) => classifierFor(classifySettingsFrom(flags));

describe('classifier from settings', () => {
  it('is the offline lexicon without a service URL', () => {
    const saved = process.env.CALLTHEMES_SENTIMENT_URL;
    delete process.env.CALLTHEMES_SENTIMENT_URL;
    try {
      assert.equal(createClassifier({}).model, LEXICON_MODEL);
    } finally {
      if (saved !== undefined) process.env.CALLTHEMES_SENTIMENT_URL = saved;
    }
  });

  it('is the HTTP classifier with a URL, from a flag or the environment', () => {
    const flag = createClassifier({ sentimentUrl: 'http://127.0.0.1:8000', sentimentApi: 'tei' });
    assert.ok(flag instanceof HttpClassifier);
    assert.equal(flag.model, 'yiyanghkust/finbert-tone');
    assert.equal((flag as HttpClassifier).target, 'http://127.0.0.1:8000/predict');
    process.env.CALLTHEMES_SENTIMENT_URL = 'http://user:pw@127.0.0.1:9000/v1';
    process.env.CALLTHEMES_SENTIMENT_MODEL = 'ProsusAI/finbert';
    try {
      const env = createClassifier({}) as HttpClassifier;
      assert.equal(env.model, 'ProsusAI/finbert');
      // Credentials in the URL never reach logs or errors.
      assert.equal(env.target, 'http://127.0.0.1:9000/v1/classify');
    } finally {
      delete process.env.CALLTHEMES_SENTIMENT_URL;
      delete process.env.CALLTHEMES_SENTIMENT_MODEL;
    }
  });

  it('refuses a bad URL, API or label map with a one-line reason', () => {
    assert.throws(() => createClassifier({ sentimentUrl: 'not a url' }), /invalid sentiment URL "not a url"/);
    assert.throws(
      () => createClassifier({ sentimentUrl: 'http://127.0.0.1:1', sentimentApi: 'grpc' }),
      /unknown sentiment API "grpc": expected one of vllm, tei/,
    );
    assert.throws(() => parseLabelMap('LABEL_0=happy'), /invalid label map entry "LABEL_0=happy"/);
    assert.deepEqual(parseLabelMap('LABEL_0=Neutral, LABEL_1=positive'), {
      LABEL_0: 'neutral',
      LABEL_1: 'positive',
    });
  });
});
