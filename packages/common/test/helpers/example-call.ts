import { prepareSentences } from '../../src/sources/prepare-sentences.js';
import { createSource } from '../../src/sources/registry.js';
import { EXAMPLES_ECTSUM } from './paths.js';

/** One firm's 2021Q2 call of the ECTSum sample in `examples/`, with its prepared sentences (≥ 5 tokens). */
export async function exampleCall(firmId: string) {
  const source = await createSource({ kind: 'ectsum', input: EXAMPLES_ECTSUM });
  for await (const f of source.fetchTranscripts('2021Q2' as never, [firmId])) {
    if (!f.ok) throw new Error(f.reject.reason);
    return {
      transcript: f.transcript,
      sentences: prepareSentences(f.transcript, { minTokens: 5 }).sentences,
    };
  }
  throw new Error(`no transcript of ${firmId} in the ECTSum sample`);
}
