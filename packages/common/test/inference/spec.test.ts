import { describe, expect, it } from 'vitest';
import { formatInferenceSpec, inferenceSpecFromEnv, parseInferenceSpec } from '../../src/inference/index.js';

describe('parseInferenceSpec', () => {
  it('reads the three forms of CALLTHEMES_INFERENCE', () => {
    expect(parseInferenceSpec('offline')).toEqual({ kind: 'offline' });
    expect(parseInferenceSpec('http:http://gpu:8000')).toEqual({ kind: 'http', url: 'http://gpu:8000' });
    expect(parseInferenceSpec('https://api.example.com/v1')).toEqual({
      kind: 'http',
      url: 'https://api.example.com/v1',
    });
    expect(parseInferenceSpec(' sagemaker:callthemes-inference ')).toEqual({
      kind: 'sagemaker',
      endpoint: 'callthemes-inference',
    });
    expect(formatInferenceSpec({ kind: 'sagemaker', endpoint: 'e-1' })).toBe('sagemaker:e-1');
    expect(inferenceSpecFromEnv({})).toEqual({ kind: 'offline' });
    expect(inferenceSpecFromEnv({ CALLTHEMES_INFERENCE: 'sagemaker:x' })).toEqual({
      kind: 'sagemaker',
      endpoint: 'x',
    });
  });

  it('names the bad value and the reason', () => {
    expect(() => parseInferenceSpec('vllm')).toThrow(
      'invalid inference "vllm": expected offline, http:<url> or sagemaker:<endpoint>',
    );
    expect(() => parseInferenceSpec('sagemaker:bad_name!')).toThrow(
      '"bad_name!" is not a SageMaker endpoint name',
    );
    expect(() => parseInferenceSpec('sagemaker:')).toThrow('"" is not a SageMaker endpoint name');
    expect(() => parseInferenceSpec('http:http://')).toThrow('expected http:<http(s) URL>');
  });
});

describe('asyncSettings', () => {
  it('reads the async limits from CALLTHEMES_INFERENCE_* settings', async () => {
    const { asyncSettings } = await import('../../src/inference/index.js');
    const keys = {
      CALLTHEMES_INFERENCE_MAX_IN_FLIGHT: '12',
      CALLTHEMES_INFERENCE_COLD_START_SECONDS: '600',
      CALLTHEMES_INFERENCE_INVOCATION_TIMEOUT_SECONDS: '300',
      CALLTHEMES_INFERENCE_CAPACITY_WAIT_SECONDS: '0',
    };
    Object.assign(process.env, keys);
    try {
      expect(asyncSettings()).toEqual({
        maxInFlight: 12,
        coldStartMs: 600_000,
        invocationTimeoutSeconds: 300,
        capacityWaitMs: null,
      });
    } finally {
      for (const k of Object.keys(keys)) delete process.env[k];
    }
    expect(asyncSettings()).toEqual({});
  });
});

describe('inferenceLedger', () => {
  it("carries today's price and budget settings, so the budget cap refuses naming requests past it", async () => {
    const { inferenceLedger } = await import('../../src/inference/index.js');
    Object.assign(process.env, { CALLTHEMES_LLM_PRICE_INPUT: '2', CALLTHEMES_LLM_BUDGET_TOKENS: '1000' });
    try {
      const l = inferenceLedger();
      l.record({ stage: 'topic-naming', promptTokens: 900, completionTokens: 50 });
      expect(l.totals().costUsd).toBeCloseTo((900 * 2) / 1e6, 12);
      expect(l.budgetRefusal(49, 'topic-naming')).toBeNull();
      expect(l.budgetRefusal(51, 'topic-naming')).toBe(
        'token budget reached: 950 used + ~51 requested > cap 1000',
      );
      expect(l.budgetRefusal(10_000, 'embedding')).toBeNull();
    } finally {
      delete process.env.CALLTHEMES_LLM_PRICE_INPUT;
      delete process.env.CALLTHEMES_LLM_BUDGET_TOKENS;
    }
  });
});
