/** The sentence classifier a command's `--sentiment-*` flags choose; a bad or meaningless one exits 2. */
import { stringSetting } from '@callthemes/common/config';
import { createClassifier, type SentimentClassifier } from '@callthemes/common/sentiment';
import { UsageError } from './common.js';
import { refuseWithout, SENTIMENT_FLAGS } from './service-options.js';

export function classifierFrom(opts: Record<string, unknown>): SentimentClassifier {
  refuseWithout(
    opts,
    {
      key: 'sentimentUrl',
      set: stringSetting('sentimentUrl', opts.sentimentUrl) !== undefined,
      flag: '--sentiment-url (the offline lexicon has no settings)',
    },
    SENTIMENT_FLAGS,
  );
  try {
    return createClassifier(Object.fromEntries(SENTIMENT_FLAGS.map((k) => [k, opts[k]])));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
