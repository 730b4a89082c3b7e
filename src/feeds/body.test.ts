import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { AppError } from '../errors.js';
import { decodeBody } from './body.js';
import { byteChunks, collect, fixture, fixtureText } from './fixtures/harness.js';

async function decode(data: Uint8Array | string, size = 7, maxBytes?: number): Promise<string> {
  const chunks = await collect(
    decodeBody(byteChunks(data, size), maxBytes === undefined ? {} : { maxBytes }),
  );
  return chunks.join('');
}

function rejectsWith(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe('decodeBody: plain text', () => {
  it('passes a plain body through, whatever the chunk size', async () => {
    const text = fixtureText('feodotracker-ipblocklist.csv');
    assert.equal(await decode(fixture('feodotracker-ipblocklist.csv'), 7), text);
    assert.equal(await decode(fixture('feodotracker-ipblocklist.csv'), 1), text);
    assert.equal(await decode(fixture('feodotracker-ipblocklist.csv'), 65536), text);
  });

  it('keeps multi-byte UTF-8 characters split across chunks', async () => {
    const text = 'http://пример.рф/файл.exe\nhttp://例え.テスト/ü\n😀 ok\n';
    assert.equal(await decode(text, 1), text);
    assert.equal(await decode(text, 2), text);
    assert.equal(await decode(text, 3), text);
  });

  it('strips a leading BOM, even one split across chunks', async () => {
    const body = concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8('1.2.3.4\n5.6.7.8\n'));
    assert.equal(await decode(body, 1), '1.2.3.4\n5.6.7.8\n');
    assert.equal(await decode(body, 64), '1.2.3.4\n5.6.7.8\n');
  });

  it('yields nothing for an empty body and the blanks of a blank body', async () => {
    assert.equal(await decode(new Uint8Array(0)), '');
    assert.equal(await decode(' \n\n'), ' \n\n');
  });

  it('refuses an HTML page, also after blanks, a BOM or in tiny chunks', async () => {
    await assert.rejects(decode(fixture('html-error-page.html'), 1), rejectsWith('FEED_HTML', /HTML page/));
    await assert.rejects(decode('<html><body>502 Bad Gateway</body></html>'), rejectsWith('FEED_HTML'));
    await assert.rejects(decode('<?xml version="1.0"?><Error/>'), rejectsWith('FEED_HTML'));
    await assert.rejects(
      decode(concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8('\r\n  <!DOCTYPE html>'))),
      rejectsWith('FEED_HTML'),
    );
  });

  it('does not mistake a later `<` for an HTML page', async () => {
    assert.equal(await decode('# a <b> comment\n1.2.3.4\n'), '# a <b> comment\n1.2.3.4\n');
  });

  it('enforces maxBytes', async () => {
    await assert.rejects(decode('x'.repeat(1000), 100, 999), rejectsWith('FEED_TOO_LARGE'));
    assert.equal((await decode('x'.repeat(1000), 100, 1000)).length, 1000);
  });
});

describe('decodeBody: gzip', () => {
  it('gunzips a gzip body arriving in small chunks', async () => {
    const text = fixtureText('urlhaus-csv_recent.csv');
    assert.equal(await decode(gzipSync(fixture('urlhaus-csv_recent.csv')), 7), text);
  });

  it('keeps multi-byte characters across gunzipped chunks', async () => {
    const text = 'ü😀例'.repeat(20000);
    assert.equal(await decode(gzipSync(utf8(text)), 5), text);
  });

  it('refuses a gzipped HTML page', async () => {
    await assert.rejects(decode(gzipSync(fixture('html-error-page.html'))), rejectsWith('FEED_HTML'));
  });

  it('reports a cut gzip body as FEED_TRUNCATED', async () => {
    const gz = gzipSync(utf8('1.2.3.4\n'.repeat(5000)));
    await assert.rejects(decode(gz.subarray(0, gz.length >> 1)), rejectsWith('FEED_TRUNCATED', /gzip/));
  });

  it('reports corrupt gzip data as FEED_FORMAT', async () => {
    const gz = new Uint8Array(gzipSync(utf8('1.2.3.4\n'.repeat(5000))));
    gz.fill(0xff, 10, 40);
    await assert.rejects(decode(gz), rejectsWith('FEED_FORMAT', /gzip/));
  });

  it('applies maxBytes to the decompressed size (gzip bomb)', async () => {
    const bomb = gzipSync(new Uint8Array(50 * 1024 * 1024).fill(0x41));
    assert.ok(bomb.length < 100_000);
    await assert.rejects(decode(bomb, 4096, 1024 * 1024), rejectsWith('FEED_TOO_LARGE'));
  });
});

describe('decodeBody: ZIP', () => {
  it('streams the first file of a ZIP (URLhaus full dump: csv.txt)', async () => {
    const zip = zipSync({ 'csv.txt': fixture('urlhaus-csv_recent.csv') });
    assert.equal(await decode(zip, 7), fixtureText('urlhaus-csv_recent.csv'));
  });

  it('reads a stored (uncompressed) entry and skips a leading directory entry', async () => {
    const zip = zipSync({ 'dump/': {}, 'dump/csv.txt': [fixture('et-compromised-ips.txt'), { level: 0 }] });
    assert.equal(await decode(zip, 13), fixtureText('et-compromised-ips.txt'));
  });

  it('reads only the first file and stops reading the archive after it', async () => {
    const zip = zipSync({ 'csv.txt': utf8('first\n'), 'other.txt': utf8('second\n') });
    assert.equal(await decode(zip), 'first\n');
    // Garbage after the first entry is never read: the archive is not buffered whole.
    const first = zipSync({ 'csv.txt': utf8('first\n'.repeat(100)) });
    const localEnd = first.length - 22 - (46 + 'csv.txt'.length);
    const broken = concat(first.subarray(0, localEnd), new Uint8Array(5000).fill(0x99));
    assert.equal(await decode(broken, 64), 'first\n'.repeat(100));
  });

  it('reports a cut ZIP as FEED_TRUNCATED', async () => {
    const zip = zipSync({ 'csv.txt': utf8('1.2.3.4\n'.repeat(5000)) });
    await assert.rejects(decode(zip.subarray(0, zip.length >> 1)), rejectsWith('FEED_TRUNCATED', /ZIP/));
    await assert.rejects(decode(zip.subarray(0, 10)), rejectsWith('FEED_TRUNCATED', /ZIP/));
  });

  it('applies maxBytes to the decompressed size (zip bomb)', async () => {
    const bomb = zipSync({ 'csv.txt': new Uint8Array(50 * 1024 * 1024).fill(0x41) });
    assert.ok(bomb.length < 200_000);
    await assert.rejects(decode(bomb, 4096, 1024 * 1024), rejectsWith('FEED_TOO_LARGE'));
  });

  it('refuses a zipped HTML page', async () => {
    await assert.rejects(
      decode(zipSync({ 'csv.txt': fixture('html-error-page.html') })),
      rejectsWith('FEED_HTML'),
    );
  });
});
