import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseCache } from './response-cache.js';

describe('response cache', () => {
  test('serves a body only for the token it was stored with', () => {
    const c = new ResponseCache(1000);
    c.set('a', 't1', 'body-a');
    assert.equal(c.get('a', 't1'), 'body-a');
    assert.equal(c.get('a', 't2'), undefined, 'the data changed');
    assert.equal(c.get('a', 't1'), undefined, 'a stale entry is dropped, not kept');
  });

  test('evicts the least recently used entries beyond its size, and never keeps a large body', () => {
    const c = new ResponseCache(80);
    c.set('a', 't', 'x'.repeat(10));
    c.set('b', 't', 'y'.repeat(10));
    assert.equal(c.get('a', 't'), 'x'.repeat(10)); // a is now the most recent
    for (let i = 0; i < 7; i++) c.set(`k${i}`, 't', 'z'.repeat(10));
    assert.equal(c.get('b', 't'), undefined, 'b was the least recently used');
    assert.equal(c.size, 8);
    c.set('big', 't', 'w'.repeat(11));
    assert.equal(c.get('big', 't'), undefined, 'over an eighth of the cache');
  });
});
