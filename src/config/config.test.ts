import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../testing/temp.js';
import { loadConfig } from './config.js';
import { formatDuration, parseDuration } from './duration.js';

describe('configuration', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const file = (name: string, text: string) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, text);
    return path;
  };

  test('defaults: SQLite under ./data, 127.0.0.1:8000, four feeds enabled hourly', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, './data/threats.db');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.equal(c.fetchOnStart, true);
    assert.deepEqual(
      c.feeds.map((f) => [f.name, f.enabled, f.intervalMs, f.maxRemovalShare]),
      [
        ['urlhaus', true, 3_600_000, 0.5],
        ['feodotracker', true, 3_600_000, 0.5],
        ['et-compromised', true, 3_600_000, 0.5],
        ['et-block', true, 3_600_000, 0.5],
      ],
    );
    assert.equal(c.feeds.find((f) => f.name === 'feodotracker')?.allowEmpty, true);
    assert.equal(c.feeds.find((f) => f.name === 'et-block')?.allowEmpty, false);
  });

  test('FEEDS_FILE overrides feeds, in JSON or YAML', () => {
    const json = file(
      'f.json',
      JSON.stringify({
        feeds: {
          urlhaus: {
            enabled: false,
            url: 'http://mirror.local/u.csv',
            interval: '30m',
            headers: { 'X-A': 'b' },
          },
        },
      }),
    );
    const u = loadConfig({ FEEDS_FILE: json }).feeds[0]!;
    assert.deepEqual(
      [u.enabled, u.url, u.intervalMs, u.headers],
      [false, 'http://mirror.local/u.csv', 1_800_000, { 'X-A': 'b' }],
    );
    const yaml = file(
      'f.yaml',
      'feeds:\n  et-block:\n    interval: 2h\n    maxRemovalShare: 0.2\n    allowEmpty: true\n    retries: 0\n',
    );
    const b = loadConfig({ FEEDS_FILE: yaml }).feeds.find((f) => f.name === 'et-block')!;
    assert.deepEqual(
      [b.intervalMs, b.maxRemovalShare, b.allowEmpty, b.http.retries],
      [7_200_000, 0.2, true, 0],
    );
  });

  test('a bad FEEDS_FILE or variable is a clear INVALID_CONFIG error', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { FEEDS_FILE: file('a.json', '{"feeds": {"nope": {}}}') },
        /unknown feed "nope" \(known: urlhaus, feodotracker, et-compromised, et-block\)/,
      ],
      [{ FEEDS_FILE: file('b.json', '{"feeds": ') }, /is not valid JSON/],
      [{ FEEDS_FILE: file('c.yaml', 'feeds: [') }, /is not valid YAML/],
      [{ FEEDS_FILE: file('d.json', '{"sources": {}}') }, /must be an object with one key, "feeds"/],
      [
        { FEEDS_FILE: file('e.json', '{"feeds": {"urlhaus": {"interval": "1m"}}}') },
        /interval must be at least 5m \(abuse.ch asks/,
      ],
      [
        { FEEDS_FILE: file('f.json', '{"feeds": {"et-block": {"interval": "soon"}}}') },
        /interval must be a duration/,
      ],
      [
        { FEEDS_FILE: file('g.json', '{"feeds": {"et-block": {"url": "ftp://x"}}}') },
        /url must be an http\(s\) URL/,
      ],
      [
        { FEEDS_FILE: file('h.json', '{"feeds": {"et-block": {"colour": "red"}}}') },
        /feeds.et-block.colour is not a setting/,
      ],
      [
        { FEEDS_FILE: file('i.json', '{"feeds": {"et-block": {"maxRemovalShare": 2}}}') },
        /maxRemovalShare must be a number from 0 to 1/,
      ],
      [
        { FEEDS_FILE: file('j.json', '{"feeds": {"et-block": {"headers": {"a": 1}}}}') },
        /headers must be an object/,
      ],
      [{ PORT: 'eighty' }, /PORT must be an integer/],
      [{ FETCH_ON_START: 'maybe' }, /FETCH_ON_START must be true or false/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'INVALID_CONFIG');
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });

  test('durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('600'), 600_000);
    assert.equal(parseDuration('1x'), null);
    assert.equal(parseDuration(''), null);
    assert.equal(formatDuration(5_400_000), '90m');
    assert.equal(formatDuration(3_600_000), '1h');
  });
});
