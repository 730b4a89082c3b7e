import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExportRow } from '../store/types.js';
import { CSV_COLUMNS, EXPORT_FORMATS, renderExport } from './records.js';

const row = (n: number): ExportRow => ({
  rowId: n,
  id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  type: 'url',
  value: `http://example.com/${n},"x"`,
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-02T00:00:00Z',
  active: n % 2 === 0,
  firstFeed: 'urlhaus',
  originalData: JSON.stringify({ id: String(n) }),
  sources: ['urlhaus'],
});

async function* pages(sizes: number[]): AsyncGenerator<ExportRow[]> {
  let n = 0;
  for (const size of sizes) yield Array.from({ length: size }, () => row(n++));
}

async function render(format: (typeof EXPORT_FORMATS)[number], sizes: number[]) {
  const chunks: string[] = [];
  for await (const c of renderExport(pages(sizes), format, (f) => `https://feeds.test/${f}`)) chunks.push(c);
  return { chunks, text: chunks.join('') };
}

describe('renderExport', () => {
  // Pages larger than a chunk, a short page and an empty one: every row once, in order, in every format.
  const sizes = [500, 130, 0, 7];
  const total = 637;

  test('json: one array of every row in order', async () => {
    const { text } = await render('json', sizes);
    const records = JSON.parse(text) as { value: string; original_data: { id: string } }[];
    assert.equal(records.length, total);
    records.forEach((r, i) => {
      assert.equal(r.value, `http://example.com/${i},"x"`);
      assert.deepEqual(r.original_data, { id: String(i) });
    });
  });

  test('ndjson, csv and txt: one line per row in order', async () => {
    const nd = (await render('ndjson', sizes)).text.split('\n');
    assert.equal(nd.pop(), '');
    assert.deepEqual(
      nd.map((l) => (JSON.parse(l) as { value: string }).value),
      Array.from({ length: total }, (_, i) => `http://example.com/${i},"x"`),
    );
    const csv = (await render('csv', sizes)).text.split('\r\n');
    assert.equal(csv.shift(), CSV_COLUMNS.join(','));
    assert.equal(csv.pop(), '');
    assert.equal(csv.length, total);
    assert.ok(csv[636]!.includes('"http://example.com/636,""x"""'));
    const txt = (await render('txt', sizes)).text.split('\n');
    assert.equal(txt.pop(), '');
    assert.equal(txt.length, total);
  });

  test('an empty export is a valid empty document', async () => {
    assert.deepEqual(JSON.parse((await render('json', [])).text), []);
    assert.equal((await render('csv', [])).text, `${CSV_COLUMNS.join(',')}\r\n`);
    assert.equal((await render('txt', [0])).text, '');
  });

  // Chunks stay small (see CHUNK_ROWS): a big page must not become one big string.
  test('a large page is emitted in chunks of at most 64 rows', async () => {
    for (const format of EXPORT_FORMATS) {
      const { chunks } = await render(format, [500]);
      // The id appears once per row in json, ndjson and csv; txt holds only the value.
      const perRow = format === 'txt' ? /example\.com/g : /0190a000-/g;
      const rowsPerChunk = chunks.map((c) => (c.match(perRow) ?? []).length).filter((n) => n > 0);
      assert.equal(
        rowsPerChunk.reduce((a, b) => a + b, 0),
        500,
        format,
      );
      assert.ok(Math.max(...rowsPerChunk) <= 64, `${format}: ${Math.max(...rowsPerChunk)} rows in one chunk`);
      assert.ok(rowsPerChunk.length >= 8, format);
    }
  });
});
