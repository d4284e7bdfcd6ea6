import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { test } from 'vitest';

test('firm-batch writes firms, sentences and topics for one batch; topic ids tie sentences to topics', async () => {
  const lake = tempDir();
  try {
    const args = ['firm-batch', '--source', 'ectsum', '--input', EXAMPLES_ECTSUM, '--quarter', '2021Q2'];
    const r = await runCli([...args, '--batch', '1', '--batch-size', '4', '--lake', lake.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2021Q2 batch 1: 4 firms \(0 rejected\)/);
    assert.ok(existsSync(join(lake.path, '_manifests', 'quarter=2021Q2', 'firm-batch-0001.json')));
    const q = await LakeQuery.open(openStore(lake.path));
    try {
      const firms = await q.rows('SELECT firm_id, n_topics, status FROM firms ORDER BY firm_id');
      // Batch 1 of size 4 holds the 5th–8th firms of the sorted listing.
      assert.deepEqual(
        firms.map((f) => f.firm_id),
        ['AFL', 'AIG', 'AIN', 'AIR'],
      );
      assert.ok(firms.every((f) => f.status === 'ok'));
      const per = await q.rows(
        'SELECT f.firm_id, f.n_topics, count(t.topic_id) AS topics FROM firms f LEFT JOIN topics t USING (firm_id) GROUP BY ALL',
      );
      for (const p of per) assert.equal(Number(p.topics), Number(p.n_topics));
      const dangling = await q.rows(
        'SELECT count(*) AS n FROM sentences s LEFT JOIN topics t ON s.topic_id = t.topic_id WHERE s.topic_id IS NOT NULL AND t.topic_id IS NULL',
      );
      assert.equal(Number(dangling[0].n), 0);
      const sizes = await q.rows(
        'SELECT t.topic_id, t.size, count(s.sentence_id) AS n FROM topics t JOIN sentences s ON s.topic_id = t.topic_id GROUP BY ALL',
      );
      assert.ok(sizes.length > 0 && sizes.every((s) => Number(s.size) === Number(s.n)));
      const t = await q.rows('SELECT * FROM topics ORDER BY topic_id LIMIT 1');
      assert.equal(t[0].name_source, 'keywords');
      assert.equal(t[0].embedding_model, 'sif-wink-sg-100d');
      assert.equal((t[0].centroid as unknown[]).length, 100);
      assert.ok(
        (t[0].representative_sentence_ids as string[]).every((id) =>
          id.startsWith(`${t[0].firm_id}:2021Q2:`),
        ),
      );
    } finally {
      q.close();
    }
  } finally {
    lake.cleanup();
  }
});

test('firm-batch: a missing or out-of-range batch is a usage error (exit 2)', async () => {
  const base = ['firm-batch', '--source', 'ectsum', '--input', EXAMPLES_ECTSUM, '--quarter', '2021Q2'];
  const missing = await runCli(base);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --batch/);
  const out = await runCli([...base, '--batch', '9', '--batch-size', '10']);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--batch 9 is out of range: 2021Q2 has 3 batch\(es\) of 10/);
  const bad = await runCli([...base, '--batch', '0', '--outlier-threshold', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid outlierThreshold/);
  const help = await runCli(['firm-batch', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Example:/);
});
