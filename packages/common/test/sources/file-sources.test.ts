import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { EctsumSource } from '../../src/sources/ectsum.js';
import { JsonlSource } from '../../src/sources/jsonl.js';
import { MotleyJsonSource } from '../../src/sources/motley-json.js';
import type { FetchResult, Transcript } from '../../src/sources/types.js';
import { EXAMPLES_ECTSUM, MOTLEY_DIR, needsSharedData, tempDir } from '../helpers/paths.js';

async function collect(it: AsyncIterable<FetchResult>): Promise<FetchResult[]> {
  const out: FetchResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('ECTSum sample: 30 firms per quarter, sorted, one component per line', async () => {
  const src = new EctsumSource(EXAMPLES_ECTSUM);
  const q2 = await src.listFirms('2021Q2');
  assert.equal(q2.firms.length, 30);
  assert.deepEqual(
    q2.firms.map((f) => f.firmId),
    [...q2.firms.map((f) => f.firmId)].sort(),
  );
  assert.equal((await src.listFirms('2020Q4')).firms.length, 0);
  const first = q2.firms[0];
  const [r] = await collect(src.fetchTranscripts('2021Q2', [first.firmId]));
  assert.ok(r.ok);
  const t = (r as { transcript: Transcript }).transcript;
  const lines = readFileSync(join(EXAMPLES_ECTSUM, first.sourceRef), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  assert.equal(t.components.length, lines.length);
  assert.equal(t.components[3].text, lines[3].trim());
  assert.ok(t.components.every((c, i) => c.order === i && c.section === 'prepared' && c.preSplit));
  assert.equal(t.transcriptId, `${first.firmId}_q2_2021`);
});

test(
  'Motley JSON: speaker roles from participants, operator and Q&A position; sections in order',
  needsSharedData(),
  async () => {
    const src = new MotleyJsonSource(MOTLEY_DIR);
    const [r] = await collect(src.fetchTranscripts('2021Q1', ['AAN']));
    assert.ok(r.ok);
    const t = (r as { transcript: Transcript }).transcript;
    const raw = JSON.parse(readFileSync(join(MOTLEY_DIR, 'AAN_q1_2021.json'), 'utf8'));
    const spoken = (turns: { speech: string }[]) => turns.filter((x) => x.speech.trim() !== '').length;
    assert.equal(t.components.length, spoken(raw.prepared_remarks) + spoken(raw.q_and_a));
    assert.equal(t.components[0].speakerName, 'Operator');
    assert.equal(t.components[0].speakerRole, 'operator');
    assert.equal(t.components[1].speakerName, 'Michael P. Dickerson');
    assert.equal(t.components[1].speakerRole, 'executive');
    const firstQa = t.components.findIndex((c) => c.section === 'qa');
    assert.equal(firstQa, spoken(raw.prepared_remarks));
    assert.ok(t.components.slice(0, firstQa).every((c) => c.section === 'prepared'));
    const chukumba = t.components.find((c) => c.speakerName === 'Anthony Chukumba');
    assert.equal(chukumba?.speakerRole, 'analyst');
    const wall = t.components.find((c) => c.speakerName === 'C. Kelly Wall' && c.section === 'qa');
    assert.equal(wall?.speakerRole, 'executive');
  },
);

test('Q&A position: an unlisted speaker right after the operator is an analyst', async () => {
  const dir = tempDir();
  try {
    const doc = {
      participants: ['Jane Roe--Chief Executive Officer'],
      prepared_remarks: [
        { speaker: 'Jane Roe', speech: 'We grew revenue strongly this quarter across all regions.' },
      ],
      q_and_a: [
        { speaker: 'Operator', speech: 'Our first question comes from Sam Poe.' },
        { speaker: 'Sam Poe', speech: 'Can you talk about margins in the second half of the year?' },
        { speaker: 'Jane Roe', speech: 'Margins should improve as input costs ease in the second half.' },
        { speaker: 'Pat Doe', speech: 'One more thing on the pricing of the new products please.' },
      ],
    };
    writeFileSync(join(dir.path, 'ACME_q2_2021.json'), JSON.stringify(doc));
    const [r] = await collect(new MotleyJsonSource(dir.path).fetchTranscripts('2021Q2', ['ACME']));
    assert.ok(r.ok);
    const roles = (r as { transcript: Transcript }).transcript.components.map((c) => c.speakerRole);
    assert.deepEqual(roles, ['executive', 'operator', 'analyst', 'executive', 'unknown']);
  } finally {
    dir.cleanup();
  }
});

test('bad files: each rejected with its reason, the rest still listed and fetched', async () => {
  const dir = tempDir();
  try {
    const good = {
      prepared_remarks: [{ speaker: 'A', speech: 'Revenue grew by ten percent in the quarter.' }],
      q_and_a: [],
    };
    writeFileSync(join(dir.path, 'GOOD_q1_2021.json'), JSON.stringify(good));
    writeFileSync(join(dir.path, 'good_q1_2021.json'), JSON.stringify(good)); // same firm, same quarter
    writeFileSync(join(dir.path, 'EMPTY_q1_2021.json'), '');
    writeFileSync(join(dir.path, 'BROKEN_q1_2021.json'), '{"prepared_remarks": [');
    writeFileSync(join(dir.path, 'LATIN_q1_2021.json'), Buffer.from([0x7b, 0x22, 0xe9, 0xff, 0x22, 0x7d]));
    writeFileSync(join(dir.path, 'NOTES.json'), '{}');
    writeFileSync(
      join(dir.path, 'NOSPEECH_q1_2021.json'),
      JSON.stringify({ prepared_remarks: [], q_and_a: [] }),
    );
    const src = new MotleyJsonSource(dir.path);
    const listing = await src.listFirms('2021Q1');
    assert.deepEqual(
      listing.firms.map((f) => f.firmId),
      ['BROKEN', 'EMPTY', 'GOOD', 'LATIN', 'NOSPEECH'],
    );
    assert.equal(listing.rejects.length, 1);
    assert.match(listing.rejects[0].reason, /GOOD appears twice in 2021Q1/);
    assert.match((await src.unplacedRejects())[0].reason, /does not match TICKER_qN_YYYY/);
    const results = await collect(
      src.fetchTranscripts(
        '2021Q1',
        listing.firms.map((f) => f.firmId),
      ),
    );
    const reasons = Object.fromEntries(
      results.map((r) => (r.ok ? [r.transcript.firmId, 'ok'] : [r.reject.firmId, r.reject.reason])),
    );
    assert.equal(reasons.GOOD, 'ok');
    assert.equal(reasons.EMPTY, 'empty file');
    assert.match(reasons.BROKEN, /^malformed JSON/);
    assert.equal(reasons.LATIN, 'not valid UTF-8');
    assert.equal(reasons.NOSPEECH, 'no prepared_remarks and no q_and_a');
  } finally {
    dir.cleanup();
  }
});

test('JSONL: one call per line, duplicates and invalid lines rejected with line numbers', async () => {
  const dir = tempDir();
  try {
    const line = (firm: string, extra: object = {}) =>
      JSON.stringify({
        firm_id: firm,
        quarter: '2021Q2',
        ticker: firm,
        firm_name: `${firm} Corp`,
        call_date: '2021-07-20',
        components: [
          {
            speaker_name: 'Jo',
            speaker_role: 'executive',
            section: 'prepared',
            text: 'Sales rose. Costs fell.',
          },
          {
            speaker_name: 'Al',
            speaker_role: 'analyst',
            section: 'qa',
            text: 'What about margins next year?',
          },
        ],
        ...extra,
      });
    const file = join(dir.path, 'calls.jsonl');
    writeFileSync(
      file,
      [
        line('BBB'),
        line('AAA'),
        '{not json',
        line('AAA'),
        JSON.stringify({ firm_id: 'CCC', quarter: '2021Q2' }),
        line('DDD', { quarter: '21Q2' }),
      ].join('\n'),
    );
    const src = new JsonlSource(file);
    const listing = await src.listFirms('2021Q2');
    assert.deepEqual(
      listing.firms.map((f) => f.firmId),
      ['AAA', 'BBB', 'CCC'],
    );
    assert.deepEqual(
      listing.rejects.map((r) => r.sourceRef),
      ['calls.jsonl:4'],
    );
    const unplaced = await src.unplacedRejects();
    assert.deepEqual(
      unplaced.map((r) => r.sourceRef),
      ['calls.jsonl:3', 'calls.jsonl:6'],
    );
    const results = await collect(src.fetchTranscripts('2021Q2', ['BBB', 'CCC', 'AAA']));
    assert.ok(results[0].ok && results[2].ok);
    assert.equal(results[0].ok && results[0].transcript.firmName, 'BBB Corp');
    assert.equal(results[2].ok && results[2].transcript.components[1].section, 'qa');
    assert.ok(!results[1].ok && /components/.test(results[1].reject.reason));
  } finally {
    dir.cleanup();
  }
});
