/**
 * The rehearsal's own parts: intrinsics resolved against what was created (and a clear error for what was not),
 * the S3 request kinds the counting proxy tells apart, and the lake comparison naming each difference.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { describeQuarters, lakeDifferences } from '../src/rehearse/compare.js';
import { kindOf } from '../src/rehearse/s3-counter.js';
import { type Created, resolve } from '../src/rehearse/template.js';

test('Ref, Fn::GetAtt, Fn::Join and pseudo parameters resolve; an unknown Ref is named', () => {
  const created: Created = new Map<string, Record<string, string>>([
    ['LakeBucket1', { Ref: 'lakebucket1-rehearsal' }],
    ['Queue1', { Ref: 'http://q/1', Arn: 'arn:aws:sqs:us-east-1:123456789012:Queue1' }],
  ]);
  assert.equal(
    resolve({ 'Fn::Join': ['', ['s3://', { Ref: 'LakeBucket1' }, '/lake']] }, created),
    's3://lakebucket1-rehearsal/lake',
  );
  assert.equal(
    resolve({ 'Fn::GetAtt': ['Queue1', 'Arn'] }, created),
    'arn:aws:sqs:us-east-1:123456789012:Queue1',
  );
  assert.equal(resolve({ Ref: 'AWS::Region' }, created), 'us-east-1');
  assert.equal(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, created), 'b');
  assert.throws(
    () => resolve({ Ref: 'Missing' }, created),
    /Ref Missing names nothing the rehearsal created/,
  );
});

test('S3 request kinds: PUT (and multipart), GET of an object, LIST of a bucket, HEAD', () => {
  assert.equal(kindOf('PUT', '/bucket/lake/x.parquet'), 'PUT');
  assert.equal(kindOf('POST', '/bucket/big?uploads'), 'PUT');
  assert.equal(kindOf('GET', '/bucket/lake/x.parquet'), 'GET');
  assert.equal(kindOf('GET', '/bucket?list-type=2&prefix=lake/'), 'LIST');
  assert.equal(kindOf('GET', '/bucket/?prefix=lake/'), 'LIST');
  assert.equal(kindOf('HEAD', '/bucket/lake/x.parquet'), 'HEAD');
  assert.equal(kindOf('DELETE', '/bucket/lake/x.parquet'), 'other');
});

test('lake differences name the table and quarter; equal lakes give none', () => {
  const a = {
    'firms 2021Q1': 'A,B',
    'topics 2021Q1': '12 aa',
    'themes 2021Q1': '3',
    'theme_sentiment 2021Q1': '3 x',
  };
  assert.deepEqual(lakeDifferences(a, { ...a }), []);
  assert.deepEqual(lakeDifferences(a, { ...a, 'topics 2021Q1': '11 bb' }), [
    'topics 2021Q1: 12 aa on S3 vs 11 bb locally',
  ]);
  assert.deepEqual(lakeDifferences({ ...a, 'themes 2021Q2': '1' }, a), [
    'themes 2021Q2: 1 on S3 vs nothing locally',
  ]);
  assert.deepEqual(describeQuarters(a), [
    '2021Q1: 2 firms, 0 sentences, 12 topics, 3 themes, 3 theme score rows',
  ]);
});
