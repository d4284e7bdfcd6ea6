/**
 * A real HTTP test server on 127.0.0.1 that speaks vLLM's /classify and text-embeddings-inference's
 * /predict formats. Its "model" is the offline lexicon classifier with FinBERT-tone's label names, so the
 * expected answer for any text is known. It can fail the first requests (429 with Retry-After, 503) and
 * enforces a max batch size like TEI.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { LexiconClassifier } from '../../src/sentiment/lexicon-classifier.js';
import { listenOnLoopback } from '../../src/testing/loopback.js';

export const TEST_SERVER_LABELS = ['Neutral', 'Positive', 'Negative'] as const; // finbert-tone's id2label order

export interface ClassifyTestServer {
  url: string;
  /** Batch sizes of the requests that were answered, in arrival order. */
  answered: number[];
  /** Every request received, failed ones included. */
  received: { path: string; authorization: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

export interface ClassifyTestServerOptions {
  /** Fail the first N requests with this status (429 carries Retry-After: 0). */
  failFirst?: { count: number; status: number };
  maxBatch?: number;
  /** Answer vLLM rows in reverse index order (the client must sort by index). */
  shuffle?: boolean;
  /** Use label names LABEL_0/1/2 instead of Neutral/Positive/Negative. */
  unnamedLabels?: boolean;
  /** Answer 400 to any request holding a text with this substring (an input the model refuses). */
  refuseTextsContaining?: string;
}

const lexicon = new LexiconClassifier();

/** Class probabilities for a text: the lexicon compound turned into a softmax over (neutral, pos, neg). */
export function testServerProbs(text: string): number[] {
  const c = lexicon.compound(text);
  const logits = [0.25 - Math.abs(c), c, -c].map((x) => x * 4);
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startClassifyTestServer(
  opts: ClassifyTestServerOptions = {},
): Promise<ClassifyTestServer> {
  const answered: number[] = [];
  const received: ClassifyTestServer['received'] = [];
  let failuresLeft = opts.failFirst?.count ?? 0;
  const name = (k: number) => (opts.unnamedLabels ? `LABEL_${k}` : TEST_SERVER_LABELS[k]);
  const server: Server = createServer(async (req, res) => {
    const body = await readJson(req);
    received.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (failuresLeft > 0) {
      failuresLeft--;
      const status = opts.failFirst!.status;
      return send(status, { error: 'overloaded' }, status === 429 ? { 'retry-after': '0' } : {});
    }
    const refused = opts.refuseTextsContaining;
    if (refused && JSON.stringify(body).includes(refused))
      return send(400, { error: `input refused: ${refused}` });
    if (req.url === '/classify') {
      const { model, input } = body as { model: string; input: string[] };
      if (!Array.isArray(input)) return send(400, { error: 'input must be a list' });
      if (opts.maxBatch && input.length > opts.maxBatch) return send(413, { error: 'batch too large' });
      answered.push(input.length);
      const data = input.map((t, index) => {
        const probs = testServerProbs(t);
        const k = probs.indexOf(Math.max(...probs));
        return { index, label: name(k), probs, num_classes: 3 };
      });
      if (opts.shuffle) data.reverse();
      return send(200, {
        id: 'classify-test',
        object: 'list',
        created: 0,
        model,
        data,
        usage: { prompt_tokens: 0 },
      });
    }
    if (req.url === '/predict') {
      const { inputs } = body as { inputs: string[][] };
      if (!Array.isArray(inputs) || !inputs.every((x) => Array.isArray(x) && x.length === 1))
        return send(422, { error: 'expected a batch of single sequences' });
      if (opts.maxBatch && inputs.length > opts.maxBatch)
        return send(413, {
          error: `batch size ${inputs.length} > maximum allowed batch size ${opts.maxBatch}`,
        });
      answered.push(inputs.length);
      return send(
        200,
        inputs.map(([t]) =>
          testServerProbs(t)
            .map((score, k) => ({ score, label: name(k) }))
            .sort((a, b) => b.score - a.score),
        ),
      );
    }
    send(404, { error: 'not found' });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, answered, received, close };
}
