/**
 * The theme stage on a lake on S3, read through DuckDB's httpfs for real: moto's S3 on 127.0.0.1, the firm stage's
 * parts put there by the S3 store, and the theme worker's DuckDB opened with the store's settings — httpfs and aws
 * from PyPI's pinned wheels (scripts/setup-duckdb-extensions.sh), an S3 secret with `PROVIDER credential_chain`
 * fed, as on ECS, by a container-credentials endpoint (no keys in the environment). The themes equal those of
 * the same parts in a local folder. Before theme-io opened DuckDB with the store's settings, the read failed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SifEmbedder } from '@callthemes/common/embed';
import {
  duckdbExtensionDir,
  type LakeStore,
  LocalLakeStore,
  queryRows,
  S3LakeStore,
} from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { createSource } from '@callthemes/common/sources';
import { type ContainerCredentials, startContainerCredentials } from '@callthemes/common/testing';
import { type MotoServer, motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { EXAMPLES_ECTSUM, REPO_ROOT, skipIf, tempDir } from '@callthemes/common/testing/paths';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, beforeAll, test } from 'vitest';
import { readQuarterTopics } from '../src/theme-io.js';
import { runThemeStage } from '../src/theme-stage.js';

const extensions = duckdbExtensionDir();
const skip = skipIf(
  motoMissing() ??
    (!extensions || !existsSync(join(extensions, 'v1.5.5'))
      ? 'DuckDB extensions not installed (run scripts/setup-duckdb-extensions.sh); the S3 read test is skipped'
      : undefined),
);
const BUCKET = 'callthemes-lake-test';
const QUARTER = '2021Q1';
const tmp = tempDir('callthemes-s3-read-');
let moto: MotoServer;
let creds: ContainerCredentials;
let s3Lake: S3LakeStore;
let localLake: LakeStore;

beforeAll(async () => {
  if (skip.skip) return;
  moto = await startMotoServer();
  creds = await startContainerCredentials(moto.credentials);
  // As in an ECS task: region, the emulator's endpoint, the credentials endpoint; no keys.
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, { AWS_REGION: moto.region, AWS_ENDPOINT_URL: moto.endpoint }, creds.env);
  // CreateBucket as an unsigned path-style PUT (moto accepts it; this package has no S3 client of its own).
  const made = await fetch(`${moto.endpoint}/${BUCKET}`, { method: 'PUT' });
  assert.equal(made.status, 200, await made.text());
  s3Lake = new S3LakeStore(`s3://${BUCKET}/lake`);
  localLake = new LocalLakeStore(join(tmp.path, 'lake'));
  const analyzer = createTopicAnalyzer({ embedder: SifEmbedder.load(), model: { seed: 42 } });
  for (const store of [s3Lake, localLake])
    await runFirmStage({
      store,
      source: await createSource({ kind: 'ectsum', input: EXAMPLES_ECTSUM }),
      quarter: QUARTER,
      batch: 0,
      batchSize: 12,
      runId: 'test',
      flushEvery: 6,
      filter: { minTokens: 5 },
      analyzer,
    });
}, 300_000);

afterAll(async () => {
  await creds?.close();
  await moto?.stop();
  tmp.cleanup();
});

test('the pinned DuckDB is the version of the extension wheels', skip, async () => {
  const { openDuckDB } = await import('@callthemes/common/lake');
  const conn = await openDuckDB();
  const [{ v }] = await queryRows(conn, 'SELECT version() AS v');
  conn.closeSync();
  const { readFileSync } = await import('node:fs');
  const pins = readFileSync(join(REPO_ROOT, 'scripts', 'duckdb-extensions.txt'), 'utf8');
  assert.equal(v, `v${/duckdb-extension-httpfs==([\d.]+)/.exec(pins)![1]}`);
  assert.match(pins, /duckdb-extension-aws==[\d.]+ \\\n\s+--hash=sha256:[0-9a-f]{64}/);
});

test(
  'the theme stage reads an s3:// lake through httpfs with credential_chain, as it reads a folder',
  skip,
  async () => {
    const viaS3 = await readQuarterTopics(s3Lake, QUARTER);
    const viaFolder = await readQuarterTopics(localLake, QUARTER);
    assert.ok(viaS3.files >= 2, `${viaS3.files} topic parts`);
    assert.ok(viaS3.topics.length >= 12, `${viaS3.topics.length} topics`);
    assert.deepEqual(
      viaS3.topics.map((t) => [t.topicId, t.firmId, t.size, t.name]),
      viaFolder.topics.map((t) => [t.topicId, t.firmId, t.size, t.name]),
    );
    assert.deepEqual(viaS3.topics[0].centroid, viaFolder.topics[0].centroid);

    const embedder = SifEmbedder.load();
    const s3Themes = await runThemeStage({
      store: s3Lake,
      quarter: QUARTER,
      runId: 't',
      keywordEmbedder: embedder,
    });
    const localThemes = await runThemeStage({
      store: localLake,
      quarter: QUARTER,
      runId: 't',
      keywordEmbedder: embedder,
    });
    assert.equal(s3Themes.stats.themes, localThemes.stats.themes);
    assert.ok(s3Themes.stats.themes >= 1);
    const themeRows = async (store: LakeStore) => {
      const q = await LakeQuery.open(store);
      try {
        return await q.rows(
          'SELECT t.theme_id, t.name, t.n_topics, count(m.topic_id) AS mapped FROM themes t ' +
            'JOIN topic_themes m USING (theme_id) GROUP BY ALL ORDER BY 1',
        );
      } finally {
        q.close();
      }
    };
    const [viaS3Themes, viaFolderThemes] = [await themeRows(s3Lake), await themeRows(localLake)];
    assert.ok(viaS3Themes.length > 0);
    assert.deepEqual(viaS3Themes, viaFolderThemes);
    assert.ok(creds.served > 0, 'credentials came from the container-credentials endpoint');
  },
);
