import assert from 'node:assert/strict';
import { test } from 'vitest';
import { isFillerTheme } from '../../src/themes/filler.js';
import { themeKeywords } from '../../src/themes/keywords.js';
import { firmShares, validateTheme } from '../../src/themes/validate.js';

test('theme keywords: c-TF-IDF over member topics, shared terms first, unthemed topics in the idf', () => {
  const topicKeywords = [
    ['freight', 'rail', 'fuel'],
    ['freight', 'trucking'],
    ['fuel', 'oil'],
    ['loans', 'deposits'],
    ['loans', 'credit'],
    ['freight', 'loans'],
  ];
  // Theme 0 = topics 0–2, theme 1 = topics 3–4, topic 5 unthemed.
  const kw = themeKeywords(topicKeywords, [0, 0, 0, 1, 1, -1], 2, 4);
  // Class counts: th0 {freight 2, rail 1, fuel 2, trucking 1, oil 1} (7 terms), th1 {loans 2, deposits 1,
  // credit 1} (4), unthemed {freight 1, loans 1} (2). A = int(13 / 3) = 4. idf = ln(1 + 4 / f):
  // freight f=3, fuel f=2, loans f=3, singles f=1. th0: fuel (2/7·ln3) > freight (2/7·ln(7/3)), both shared,
  // then the singles (1/7·ln5) by term id order (oil, rail, trucking).
  assert.deepEqual(kw[0], ['fuel', 'freight', 'oil', 'rail']);
  assert.deepEqual(kw[1], ['loans', 'credit', 'deposits']);
});

test('validation rules: firms and dominance', () => {
  assert.deepEqual(firmShares(['A', 'A', 'B', 'C', 'D']), { nFirms: 4, dominance: 0.4 });
  assert.equal(validateTheme(['A', 'A', 'B', 'C', 'D'], 3, 0.4), 'ok');
  assert.equal(validateTheme(['A', 'A', 'A', 'B', 'C'], 3, 0.4), 'dominated');
  assert.equal(validateTheme(['A', 'B', 'B', 'A'], 3, 0.4), 'few-firms');
});

test('filler themes: call mechanics and pleasantries carry at least half the leading keywords', () => {
  assert.ok(isFillerTheme(['turn', 'details', 'cover', 'q&a', 'couple', 'topics']));
  assert.ok(isFillerTheme(['moment', 'team', 'doing', 'hope', 'people', 'excited']));
  assert.ok(
    !isFillerTheme(['combined ratio', 'loss ratio', 'improvement', 'accident', 'catastrophe', 'reserve']),
  );
  assert.ok(!isFillerTheme(['raw material', 'inflation', 'inventory', 'supply', 'hope', 'labor']));
});

const fillerCases: { name: string; conversational: string[][]; subjects: string[][] }[] = [
  {
    // The leading keywords of six of the 25 largest themes on 249 full calls, as main named them.
    name: 'conversational themes of full calls (issue 27: main on Motley 2021Q2) fail; subjects with a tone word pass',
    conversational: [
      ['thoughts', 'detail', 'important', 'context', 'better', 'part'],
      ['excited', 'feels', 'couple', 'opportunity', 'thoughts', 'did'],
      ['forward', 'confident', 'cautiously', 'cautiously optimistic', 'optimistic', 'moving'],
      ['dynamics', 'view', 'environment', 'does', 'modeling', 'post'],
      ['q3', 'q4', 'q2', 'q1', 'looks', 'defense electronics'],
      ['team', 'proud', 'teams', 'excited', 'job', 'win'],
    ],
    subjects: [
      ['demand', 'strong', 'strength', 'recovery', 'pandemic', 'robust'],
      ['offset', 'increases', 'price', 'cost', 'inflation', 'levels'],
      ['leverage', 'contract labor', 'leverage target', 'contract', 'customer', 'costs'],
      ['strategic', 'esg', 'commitment', 'initiatives', 'diversity', 'strategy'],
      ['members', 'medicaid', 'enrollment', 'membership', 'confident', 'utilization'],
    ],
  },
  {
    // Leading keywords of themes among the 25 largest once sentences were embedded without stop words
    // (Motley 2021Q1, 2021Q4, 2020Q4): abstract nouns of talk, stance, and the remarks' roadmap.
    name: 'vague themes of the content-word firm stage (issue 27) fail; subjects with an abstract noun or tone word pass',
    conversational: [
      ['opportunities', 'opportunity', 'forward', 'ability', 'achieve', 'challenges'],
      ['consistent', 'approach', 'perspective', 'macroeconomic', 'view', 'fairly'],
      ['results', 'financial', 'release', 'information', 'financial results', 'review'],
      ['opinion', 'timing', 'change', 'approach', 'scenario', 'determined'],
      ['challenges', 'opportunity', 'team', 'opportunities', 'challenging', 'extraordinary'],
    ],
    subjects: [
      ['supply chain', 'chain', 'supply', 'constraints', 'challenges', 'shortages'],
      ['opportunities', 'innovation', 'strategic', 'invest', 'profitable', 'relationships'],
      ['loan growth', 'strong', 'outlook', 'momentum', 'demand', 'recovery'],
      ['acquisition opportunities', 'pipeline', 'opportunities', 'deals', 'valuations', 'approach'],
    ],
  },
];

for (const { name, conversational, subjects } of fillerCases) {
  test(name, () => {
    for (const k of conversational) assert.ok(isFillerTheme(k), k.join(', '));
    for (const k of subjects) assert.ok(!isFillerTheme(k), k.join(', '));
  });
}
