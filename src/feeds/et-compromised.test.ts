import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { etCompromised } from './et-compromised.js';
import { fixture, fixtureText, parseBody, runParser, textChunks } from './fixtures/harness.js';

const parse = etCompromised.parse;

describe('et-compromised module', () => {
  it('is defined as the brief says', () => {
    assert.equal(etCompromised.name, 'et-compromised');
    assert.equal(
      etCompromised.defaultUrl,
      'https://rules.emergingthreats.net/blockrules/compromised-ips.txt',
    );
    assert.equal(etCompromised.homepage, 'https://rules.emergingthreats.net/');
    assert.equal(etCompromised.abuseCh, false);
    assert.equal(etCompromised.allowEmpty, false);
  });
});

describe('et-compromised parser', () => {
  it('parses the real list in 7-byte chunks', async () => {
    const r = await parseBody(parse, fixture('et-compromised-ips.txt'), 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.equal(r.rejects.length, 0);
    assert.equal(r.entries.length, 25);
    assert.ok(r.batches > 1);
    assert.deepEqual(r.entries[0], {
      value: '101.100.216.61',
      expect: ['ipv4', 'ipv6'],
      attributes: {},
      original: { value: '101.100.216.61' },
      line: 1,
    });
    assert.equal(r.entries[24]?.value, '106.75.63.139');
    assert.equal(r.entries[24]?.line, 25);
  });

  it('handles a BOM, CRLF, blank and whitespace lines, indented comments and no final newline', async () => {
    const body = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode(
        '# header\r\n1.2.3.4\r\n\r\n \t \r\n    # indented comment\r\n  5.6.7.8  \r\n2001:db8::1',
      ),
    ]);
    const r = await parseBody(parse, body, 3);
    assert.deepEqual(
      r.entries.map((e) => [e.line, e.value]),
      [
        [2, '1.2.3.4'],
        [6, '5.6.7.8'],
        [7, '2001:db8::1'],
      ],
    );
    assert.equal(r.rejects.length, 0);
  });

  it('rejects lines that are not a single value, with a reason', async () => {
    const r = await runParser(parse, textChunks('1.2.3.4\n1.2.3.4 5.6.7.8\n1.2.3.4,5.6.7.8\n9.9.9.9\n', 4));
    assert.deepEqual(
      r.entries.map((e) => e.value),
      ['1.2.3.4', '9.9.9.9'],
    );
    assert.deepEqual(r.rejects, [
      { line: 2, raw: '1.2.3.4 5.6.7.8', reason: 'the line holds more than one value (whitespace inside)' },
      { line: 3, raw: '1.2.3.4,5.6.7.8', reason: 'the line is not a single IP address' },
    ]);
  });

  it('reads a gzip body', async () => {
    const r = await parseBody(parse, gzipSync(fixture('et-compromised-ips.txt')), 5);
    assert.equal(r.entries.length, 25);
  });

  it('does not recognise an empty or comments-only body', async () => {
    assert.deepEqual((await runParser(parse, textChunks(''))).summary, { format: 'text', recognised: false });
    assert.deepEqual((await runParser(parse, textChunks('# nothing\n\n'))).summary, {
      format: 'text',
      recognised: false,
    });
  });

  it('refuses an HTML page', async () => {
    await assert.rejects(parseBody(parse, fixture('html-error-page.html')), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'FEED_HTML');
      return true;
    });
  });

  it('keeps the lines as written (normalisation happens later)', async () => {
    const text = fixtureText('et-compromised-ips.txt');
    const r = await runParser(parse, textChunks(text, 11));
    assert.deepEqual(
      r.entries.map((e) => e.value),
      text.trimEnd().split('\n'),
    );
  });
});
