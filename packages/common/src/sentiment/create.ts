/** Builds the configured classifier: the HTTP one when a service URL is set, the offline lexicon otherwise. */
import { intSetting, secretFromEnv, stringSetting } from '../config/settings.js';
import { CLASSIFY_APIS, type ClassifyApi, HttpClassifier } from './http-classifier.js';
import { LexiconClassifier } from './lexicon-classifier.js';
import { LocalServiceCalls, type ServiceCalls } from './service-calls.js';
import { SENTIMENT_LABELS, type SentimentClassifier, type SentimentLabel } from './types.js';

export const DEFAULT_SENTIMENT_MODEL = 'yiyanghkust/finbert-tone';
export const SENTIMENT_API_KEY_ENV = 'CALLTHEMES_SENTIMENT_API_KEY';

export interface ClassifierFlags {
  sentimentUrl?: string;
  sentimentApi?: string;
  sentimentModel?: string;
  sentimentBatchSize?: string | number;
  sentimentConcurrency?: string | number;
  sentimentLabelMap?: string;
}

/** Throws Error with a one-line reason for a bad value (the CLI turns it into a usage error). */
export function createClassifier(flags: ClassifierFlags, calls?: ServiceCalls): SentimentClassifier {
  const url = stringSetting('sentimentUrl', flags.sentimentUrl);
  if (!url) return new LexiconClassifier();
  try {
    new URL(url);
  } catch {
    throw new Error(`invalid sentiment URL "${url}"`);
  }
  const api = stringSetting('sentimentApi', flags.sentimentApi, 'vllm');
  if (!(CLASSIFY_APIS as readonly string[]).includes(api))
    throw new Error(`unknown sentiment API "${api}": expected one of ${CLASSIFY_APIS.join(', ')}`);
  return new HttpClassifier({
    url,
    api: api as ClassifyApi,
    model: stringSetting('sentimentModel', flags.sentimentModel, DEFAULT_SENTIMENT_MODEL),
    batchSize: intSetting('sentimentBatchSize', flags.sentimentBatchSize, 32),
    apiKey: secretFromEnv(SENTIMENT_API_KEY_ENV),
    labelMap: parseLabelMap(stringSetting('sentimentLabelMap', flags.sentimentLabelMap)),
    calls:
      calls ??
      new LocalServiceCalls({
        concurrency: intSetting('sentimentConcurrency', flags.sentimentConcurrency, 4),
      }),
  });
}

/** `LABEL_0=neutral,LABEL_1=positive` → map. */
export function parseLabelMap(spec: string | undefined): Record<string, SentimentLabel> | undefined {
  if (!spec) return undefined;
  const out: Record<string, SentimentLabel> = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (!k || !v || !(SENTIMENT_LABELS as readonly string[]).includes(v.toLowerCase()))
      throw new Error(`invalid label map entry "${part}": expected NAME=positive|negative|neutral`);
    out[k] = v.toLowerCase() as SentimentLabel;
  }
  return out;
}
