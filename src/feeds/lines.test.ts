import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, textChunks } from './fixtures/harness.js';
import { type LineBatch, readLines, readPreamble } from './lines.js';

async function* of(...chunks: string[]): AsyncGenerator<string> {
  for (const c of chunks) yield c;
}

/** Flattens batches to [lineNumber, text] pairs. */
function numbered(batches: LineBatch[]): [number, string][] {
  return batches.flatMap((b) => b.lines.map((l, i): [number, string] => [b.first + i, l]));
}

describe('readLines', () => {
  it('splits LF, CRLF and lone CR, numbering lines from 1', async () => {
    const out = numbered(await collect(readLines(of('a\nb\r\nc\rd\n'))));
    assert.deepEqual(out, [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('counts a CRLF split across two chunks once', async () => {
    const out = numbered(await collect(readLines(of('one\r', '\ntwo\r', '\n', 'three'))));
    assert.deepEqual(out, [
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('keeps a last line without a final newline and adds none after a final newline', async () => {
    assert.deepEqual(numbered(await collect(readLines(of('x\ny')))), [
      [1, 'x'],
      [2, 'y'],
    ]);
    assert.deepEqual(numbered(await collect(readLines(of('x\ny\n')))), [
      [1, 'x'],
      [2, 'y'],
    ]);
    assert.deepEqual(numbered(await collect(readLines(of('')))), []);
  });

  it('keeps blank lines and joins lines split across many small chunks', async () => {
    const text = 'first line\r\n\r\n  \nfourth line\nlast';
    const out = numbered(await collect(readLines(textChunks(text, 3))));
    assert.deepEqual(out, [
      [1, 'first line'],
      [2, ''],
      [3, '  '],
      [4, 'fourth line'],
      [5, 'last'],
    ]);
  });

  it('yields one batch per chunk and starts at a given line number', async () => {
    const batches = await collect(readLines(of('a\nb\n', 'c\nd\n'), 10));
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[0], { first: 10, lines: ['a', 'b'] });
    assert.deepEqual(batches[1], { first: 12, lines: ['c', 'd'] });
  });
});

describe('readPreamble', () => {
  it('collects the leading comments and hands back the rest from the first data line', async () => {
    const text = '#####\n# Title (CSV)\n#\n\n# id,url\n"1","http://a/"\n"2","http://b/"\n';
    const pre = await readPreamble(textChunks(text, 4));
    assert.deepEqual(pre.comments, ['####', 'Title (CSV)', '', 'id,url']);
    assert.equal(pre.lineCount, 5);
    assert.equal(pre.firstChar, '"');
    assert.equal(pre.firstLine, '"1","http://a/"');
    assert.equal((await collect(pre.rest)).join(''), '"1","http://a/"\n"2","http://b/"\n');
  });

  it('handles indented comments, CRLF and a body with no data line', async () => {
    const pre = await readPreamble(textChunks('# a\r\n   # b\r\n\t\r\n# END 0 entries', 2));
    assert.deepEqual(pre.comments, ['a', 'b', 'END 0 entries']);
    assert.equal(pre.lineCount, 4);
    assert.equal(pre.firstChar, undefined);
    assert.equal(pre.firstLine, undefined);
    assert.deepEqual(await collect(pre.rest), []);
  });

  it('sees a data line at once, before its line break arrives', async () => {
    const pre = await readPreamble(of('  {"1": [', '{"url": "x"}]}'));
    assert.equal(pre.firstChar, '{');
    assert.equal(pre.lineCount, 0);
    assert.equal((await collect(pre.rest)).join(''), '  {"1": [{"url": "x"}]}');
  });
});
