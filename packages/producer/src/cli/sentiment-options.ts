/** The Inference port's classify part that a command's `--sentiment-*` flags choose; a bad or meaningless one exits 2. */
import { stringSetting } from '@callthemes/common/config';
import { classifierFor, classifySettingsFrom, ServiceSettingError } from '@callthemes/common/inference';
import type { SentimentClassifier } from '@callthemes/common/sentiment';
import { UsageError } from './common.js';
import { refuseWithout, SENTIMENT_FLAGS } from './service-options.js';

/** `--sentiment-api` and the other tuning flags mean nothing without a served classifier: exit 2. */
export function refuseSentimentTuningAlone(opts: Record<string, unknown>): void {
  refuseWithout(
    opts,
    {
      key: 'sentimentUrl',
      set: stringSetting('sentimentUrl', opts.sentimentUrl) !== undefined,
      flag: '--sentiment-url (the offline lexicon has no settings)',
    },
    SENTIMENT_FLAGS,
  );
}

export function classifierFrom(opts: Record<string, unknown>): SentimentClassifier {
  refuseSentimentTuningAlone(opts);
  try {
    return classifierFor(classifySettingsFrom(Object.fromEntries(SENTIMENT_FLAGS.map((k) => [k, opts[k]]))));
  } catch (err) {
    if (err instanceof ServiceSettingError) throw new UsageError(err.message);
    throw err;
  }
}
