import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toIsoUtc } from './timestamps.js';

describe('toIsoUtc', () => {
  it('converts the abuse.ch forms to ISO 8601 UTC', () => {
    assert.equal(toIsoUtc('2026-02-26 12:05:20'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-07-22 11:46:20 UTC'), '2026-07-22T11:46:20Z');
    assert.equal(toIsoUtc('2024-04-01'), '2024-04-01T00:00:00Z');
  });

  it('accepts ISO forms, offsets, missing seconds and surrounding blanks', () => {
    assert.equal(toIsoUtc('2026-02-26T12:05:20Z'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-26T12:05:20.123Z'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-26T12:05:20+00:00'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-26T01:05:20+02:00'), '2026-02-25T23:05:20Z');
    assert.equal(toIsoUtc('2026-02-26 12:05:20 GMT'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-26 12:05'), '2026-02-26T12:05:00Z');
    assert.equal(toIsoUtc('  2026-02-26 12:05:20  '), '2026-02-26T12:05:20Z');
  });

  it('gives undefined for empty, None, null and non-strings', () => {
    assert.equal(toIsoUtc(''), undefined);
    assert.equal(toIsoUtc('None'), undefined);
    assert.equal(toIsoUtc(null), undefined);
    assert.equal(toIsoUtc(undefined), undefined);
    assert.equal(toIsoUtc(1714000000), undefined);
  });

  it('gives undefined, never throws, for unparseable or impossible values', () => {
    for (const v of [
      'garbage',
      '2026-13-01',
      '2024-02-30',
      '2023-02-29 00:00:00',
      '2026-02-26 24:00:00',
      '0024-01-01',
    ]) {
      assert.equal(toIsoUtc(v), undefined, v);
    }
    assert.equal(toIsoUtc('2024-02-29'), '2024-02-29T00:00:00Z');
  });

  it('answers a repeated value the same way', () => {
    assert.equal(toIsoUtc('2026-02-26 12:05:20'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-26 12:05:20'), '2026-02-26T12:05:20Z');
    assert.equal(toIsoUtc('2026-02-30 12:05:20'), undefined);
    assert.equal(toIsoUtc('2026-02-30 12:05:20'), undefined);
  });
});
