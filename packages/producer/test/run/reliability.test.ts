/**
 * Reliability: real `callthemes run` processes over two quarters, killed with SIGKILL (the whole process group,
 * as when a machine is lost) at random moments at least five times and resumed each time with the same command;
 * the finished lake must equal an uninterrupted run's: the same firm, sentence and topic ids, the same row count
 * in every table, and at no moment a repeated key. Topic names come from an LLM on a real OpenAI-compatible server
 * on 127.0.0.1, which counts the requests: none may ask again for an answer the lake's response cache already held. Kill moments come from a seeded generator (printed; set
 * RUN_KILL_SEED to replay one).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LocalLakeStore } from '@callthemes/common/lake';
import { cacheKey } from '@callthemes/common/llm';
import { ectsumArgs } from '@callthemes/common/testing/cli';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { startCli } from './cli-process.js';
import { snapshot } from './helpers.js';
import { startNamingServer } from './naming-server.js';

const MIN_KILLS = 5;
/** Firms per quarter (the first by id of the sample's 30). */
const FIRMS = 12;
const dir = tempDir('callthemes-kill-');
afterAll(() => dir.cleanup());

const args = (lake: string, llmUrl: string) =>
  ectsumArgs('run', '2021Q1..2021Q2', lake, [
    '--firms',
    String(FIRMS),
    '--batch-size',
    '3',
    '--flush-every',
    '2',
    '--concurrency',
    '2',
    '--seed',
    '7',
    '--llm-url',
    llmUrl,
    '--llm-model',
    'test-namer',
  ]);

/** Cache keys of the LLM answers stored in the lake. */
function storedAnswers(lake: string): Set<string> {
  const dir = join(lake, '_cache', 'llm');
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'))
      .map((f) => basename(f, '.json')),
  );
}

/** The response-cache key of a chat request as the client computes it (checked against the reference run). */
const keyOf = (body: Record<string, unknown>) => cacheKey({ kind: 'chat-json', ...body });

/** mulberry32: small, seeded, good enough to pick moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Firms in the manifests of finished firm batches (what a resume will skip). */
async function firmsInManifests(lake: string): Promise<number> {
  const store = new LocalLakeStore(lake);
  let n = 0;
  for (const key of await store.list('_manifests/')) {
    if (!/\/firm-batch-\d{4}\.json$/.test(key)) continue;
    n += (JSON.parse((await store.getText(key)) ?? '{}').items ?? []).length;
  }
  return n;
}

test(`kill -9 at ${MIN_KILLS}+ random moments, resume each time: the lake equals an uninterrupted run's`, async (t) => {
  const refLake = join(dir.path, 'reference');
  const refServer = await startNamingServer();
  const llm = await startNamingServer();
  t.onTestFinished(async () => {
    await Promise.all([refServer.close(), llm.close()]);
  });
  const ref = startCli(args(refLake, refServer.server.url));
  assert.equal(await ref.exit, 0, ref.lines.join('\n'));
  const want = await snapshot(refLake);
  assert.equal(want.counts.firms, 2 * FIRMS);
  // One topic-naming request per firm and quarter (plus theme naming), every answer stored under the key computed here.
  const refRequests = refServer.server.requestsTo('/v1/chat/completions');
  assert.equal(refServer.kinds.filter((k) => k === 'topics').length, 2 * FIRMS);
  assert.ok(refServer.kinds.includes('themes'), 'theme names asked of the LLM');
  const refStored = storedAnswers(refLake);
  for (const r of refRequests) assert.ok(refStored.has(keyOf(r.body)), 'request ↔ cache key mapping');

  const seed = Number(process.env.RUN_KILL_SEED ?? Date.now() % 1_000_000);
  console.log(`kill seed ${seed} (RUN_KILL_SEED=${seed} replays it)`);
  const random = rng(seed);
  const lake = join(dir.path, 'killed');
  const moments: string[] = [];
  let kills = 0;
  let midWork = 0;
  const resumes: { storedBefore: Set<string>; firstRequest: number }[] = [];
  // One kill by the clock (any moment, start-up included), the others mid-work.
  const clockKill = Math.floor(random() * (MIN_KILLS + 1));
  for (let attempt = 0; attempt < MIN_KILLS + 12; attempt++) {
    resumes.push({ storedBefore: storedAnswers(lake), firstRequest: llm.server.requests.length });
    // A killed worker's partition returns after the visibility timeout (short here), and each kill counts one
    // receive of the partitions in hand: the dead-letter threshold is raised so that five kills test recovery,
    // not the dead-letter queue (a poison partition's path has its own test in fleet.test.ts).
    const run = startCli(args(lake, llm.server.url), {
      CALLTHEMES_VISIBILITY_SECONDS: '2',
      CALLTHEMES_MAX_RECEIVE_COUNT: '20',
    });
    let firmLines = 0;
    run.onLine((line) => {
      if (/^\S+ 2021Q\d: \d+ sentences/.test(line)) firmLines++;
    });
    if (kills < MIN_KILLS + 1) {
      if (kills === clockKill) {
        // Any moment from start-up on, by the clock.
        const ms = Math.round(random() * 2500);
        moments.push(`${ms} ms after start`);
        setTimeout(() => run.killGroup(), ms);
      } else {
        // Mid-work: after the k-th finished firm, plus a few milliseconds (parts being flushed, manifests
        // written). k is kept to a quarter of the firms left, so the kills land before the run completes.
        const left = 2 * FIRMS - (await firmsInManifests(lake));
        const k = 1 + Math.floor(random() * Math.max(1, Math.min(8, Math.floor(left / 4))));
        const ms = Math.round(random() * 10);
        moments.push(`${ms} ms after firm line ${k}`);
        run.onLine(() => {
          if (firmLines === k) setTimeout(() => run.killGroup(), ms);
        });
      }
    }
    const code = await run.exit;
    if (code !== 137) {
      assert.equal(code, 0, `resume exited ${code}:\n${run.lines.slice(-20).join('\n')}`);
      break;
    }
    kills++;
    if (firmLines > 0) midWork++;
    const mid = await snapshot(lake);
    assert.deepEqual(mid.duplicates, [], `a reader saw repeated keys after kill ${kills}`);
  }
  console.log(`${kills} kills (${midWork} after a firm finished): ${moments.slice(0, kills).join('; ')}`);
  assert.ok(kills >= MIN_KILLS, `only ${kills} kills landed before the run completed (seed ${seed})`);
  assert.ok(midWork >= MIN_KILLS - 1, `only ${midWork} kills landed mid-work (seed ${seed})`);

  // No request asked again for an answer already stored when its process started.
  const requests = llm.server.requests;
  resumes.forEach(({ storedBefore, firstRequest }, i) => {
    const end = resumes[i + 1]?.firstRequest ?? requests.length;
    const again = requests.slice(firstRequest, end).filter((r) => storedBefore.has(keyOf(r.body)));
    assert.equal(again.length, 0, `process ${i + 1} repeated ${again.length} stored LLM request(s)`);
  });
  console.log(
    `LLM requests: ${requests.length} for ${2 * FIRMS} firms and the quarters’ themes (${llm.repeatedBodies()} re-sent after a kill caught them in flight)`,
  );

  const got = await snapshot(lake);
  assert.deepEqual(got.counts, want.counts);
  assert.deepEqual(got.firmIds, want.firmIds);
  assert.deepEqual(got.sentenceIds, want.sentenceIds);
  assert.deepEqual(got.topicIds, want.topicIds);
  assert.deepEqual(got.duplicates, []);
  // Scratch files of the killed processes were removed by the resume.
  assert.deepEqual(readdirSync(join(lake, '_tmp')), []);
});
