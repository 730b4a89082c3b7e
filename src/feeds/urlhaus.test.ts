import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { decodeBody } from './body.js';
import {
  byteChunks,
  fixture,
  fixtureText,
  isAppError,
  parseBody,
  runParser,
  textChunks,
} from './fixtures/harness.js';
import { parseTags, urlhaus } from './urlhaus.js';

const parse = urlhaus.parse;

describe('urlhaus module', () => {
  it('is defined as the brief says', () => {
    assert.equal(urlhaus.name, 'urlhaus');
    assert.equal(urlhaus.defaultUrl, 'https://urlhaus.abuse.ch/downloads/json_online/');
    assert.equal(urlhaus.homepage, 'https://urlhaus.abuse.ch/');
    assert.equal(urlhaus.abuseCh, true);
    assert.equal(urlhaus.allowEmpty, false);
  });
});

describe('urlhaus CSV (csv_recent, csv_online, csv)', () => {
  it('parses the real csv_recent sample in 7-byte chunks', async () => {
    const r = await parseBody(parse, fixture('urlhaus-csv_recent.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.rejects.length, 0);
    assert.equal(r.entries.length, 10);
    assert.ok(r.batches > 1, 'events come in several batches');
    assert.deepEqual(r.entries[0], {
      value: 'http://182.126.120.150:58801/i',
      expect: ['url'],
      firstSeen: '2026-02-26T12:05:20Z',
      attributes: {
        status: 'online',
        threat: 'malware_download',
        tags: ['32-bit', 'elf', 'mips', 'Mozi'],
        lastOnline: '2026-02-26T12:05:20Z',
        reporter: 'geenensp',
        reference: 'https://urlhaus.abuse.ch/url/3786237/',
      },
      original: {
        id: '3786237',
        dateadded: '2026-02-26 12:05:20',
        url: 'http://182.126.120.150:58801/i',
        url_status: 'online',
        last_online: '2026-02-26 12:05:20',
        threat: 'malware_download',
        tags: '32-bit,elf,mips,Mozi',
        urlhaus_link: 'https://urlhaus.abuse.ch/url/3786237/',
        reporter: 'geenensp',
      },
      line: 10,
    });
    assert.deepEqual(
      r.entries.map((e) => e.line),
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    );
  });

  it('reads an offline URL: empty last_online gives no lastOnline', async () => {
    const r = await parseBody(parse, fixture('urlhaus-csv_recent.csv'));
    const offline = r.entries.find((e) => e.original.id === '3786231');
    assert.equal(offline?.value, 'http://113.239.221.37:48028/i');
    assert.equal(offline?.attributes.status, 'offline');
    assert.equal(offline?.attributes.lastOnline, undefined);
    assert.equal(offline?.original.last_online, '');
  });

  it('reads the literal None as no tags, and percent-encoding and long query strings as written', async () => {
    const r = await parseBody(parse, fixture('urlhaus-csv_recent.csv'));
    const zoom = r.entries.find((e) => e.original.id === '3786229');
    assert.equal(zoom?.value, 'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe');
    assert.equal(zoom?.attributes.tags, undefined);
    assert.equal(zoom?.original.tags, 'None');
    assert.equal(zoom?.attributes.reporter, 'juroots');
    const dropbox = r.entries.find((e) => e.original.id === '3786228');
    assert.match(dropbox?.value ?? '', /\?rlkey=zvmjseot8z5gyzj6s0eu01myp&st=h0ulds3h&dl=1$/);
    assert.equal(r.entries.filter((e) => e.attributes.tags === undefined).length, 2);
  });

  it('handles CRLF, blank and whitespace lines, indented comments, quotes and commas in URLs, bad rows, no final newline', async () => {
    const r = await parseBody(parse, fixture('urlhaus-csv_pitfalls.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.deepEqual(
      r.entries.map((e) => [e.line, e.value]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [10, 'http://182.126.120.150:58801/i'],
        [13, 'http://113.239.221.37:48028/i'],
        [15, 'http://example.net/dl.php?a=1,2&b="x"'],
        [18, 'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe'],
      ],
    );
    for (const e of r.entries) {
      assert.ok(!Object.values(e.original).some((v) => String(v).includes('\r')), 'no CR left in values');
    }
    const quoted = r.entries.find((e) => e.line === 15);
    assert.deepEqual(quoted?.attributes.tags, ['exe', 'rat', 'AsyncRAT']);
    assert.deepEqual(
      r.rejects.map((x) => [x.line, x.reason]),
      [
        [16, 'expected 9 fields as in the header, got 4'],
        [17, 'expected 9 fields as in the header, got 10'],
      ],
    );
    assert.equal(r.rejects[0]?.raw, '"3786225","2026-02-26 11:19:00","http://short.example/row","online"');
  });

  it('accepts the 2019 header without last_online (schema drift by name)', async () => {
    const r = await parseBody(parse, fixture('urlhaus-csv_2019.csv'));
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.entries.length, 3);
    assert.deepEqual(r.entries[0]?.attributes, {
      status: 'online',
      threat: 'malware_download',
      tags: ['elf', 'mirai'],
      reporter: 'zbetcheckin',
      reference: 'https://urlhaus.abuse.ch/url/209431/',
    });
    assert.equal(r.entries[0]?.firstSeen, '2019-06-20T09:03:15Z');
    assert.equal('last_online' in (r.entries[0]?.original ?? {}), false);
    assert.equal(r.entries[1]?.attributes.tags, undefined); // "None"
    assert.equal(r.entries[2]?.attributes.tags, undefined); // ""
  });

  it('maps columns by header name, whatever their order', async () => {
    const body = '# url,id,tags\n"http://x.example/a","17","a,b"\n';
    const r = await runParser(parse, textChunks(body, 5));
    assert.equal(r.entries[0]?.value, 'http://x.example/a');
    assert.deepEqual(r.entries[0]?.attributes, { tags: ['a', 'b'] });
    assert.deepEqual(r.entries[0]?.original, { url: 'http://x.example/a', id: '17', tags: 'a,b' });
  });

  it('throws FEED_FORMAT on a header with an unknown column', async () => {
    await assert.rejects(
      parseBody(parse, fixture('urlhaus-csv_unknown_column.csv')),
      isAppError('FEED_FORMAT', /unknown columns: is_compromised/),
    );
  });

  it('throws FEED_FORMAT on a header without url', async () => {
    await assert.rejects(parseBody(parse, fixture('urlhaus-csv_no_url.csv')), isAppError('FEED_FORMAT'));
    await assert.rejects(
      runParser(parse, textChunks('# id,dateadded\n"1","2026-02-26 12:05:20"\n')),
      isAppError('FEED_FORMAT', /lacks the column url/),
    );
  });

  it('throws FEED_FORMAT on quoted rows without a header', async () => {
    const body = fixtureText('urlhaus-csv_recent.csv').replace(/^# id,.*\n/m, '');
    await assert.rejects(runParser(parse, textChunks(body, 64)), isAppError('FEED_FORMAT', /header/));
  });

  it('throws FEED_TRUNCATED when the body is cut inside a quoted field', async () => {
    const text = fixtureText('urlhaus-csv_recent.csv');
    const cut = text.slice(0, text.indexOf('http://59.93.18.59') + 10);
    await assert.rejects(parseBody(parse, cut, 7), isAppError('FEED_TRUNCATED'));
  });

  it('rejects (does not fail on) a last row cut right after a closing quote', async () => {
    const text = fixtureText('urlhaus-csv_recent.csv');
    const cut = text.slice(0, text.indexOf(',"online"', text.indexOf('http://59.93.18.59')));
    const r = await parseBody(parse, cut, 7);
    assert.equal(r.entries.length, 5);
    assert.equal(r.rejects.length, 1);
    assert.equal(r.rejects[0]?.line, 15);
    assert.match(r.rejects[0]?.reason ?? '', /got 3/);
  });

  it('reads a BOM-prefixed body', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...fixture('urlhaus-csv_recent.csv')]);
    const r = await parseBody(parse, bom, 3);
    assert.equal(r.entries.length, 10);
    assert.equal(r.summary.format, 'csv');
  });

  it('reads a gzip body', async () => {
    const r = await parseBody(parse, gzipSync(fixture('urlhaus-csv_recent.csv')), 7);
    assert.equal(r.entries.length, 10);
    assert.deepEqual(r.entries[0]?.attributes.tags, ['32-bit', 'elf', 'mips', 'Mozi']);
  });

  it('reads the full dump: a ZIP holding csv.txt', async () => {
    const zip = zipSync({ 'csv.txt': fixture('urlhaus-csv_recent.csv') });
    const r = await parseBody(parse, zip, 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.entries.length, 10);
    assert.equal(r.entries[9]?.original.id, '3786228');
  });

  it('reads an empty dump (banner and header only) as recognised with no entries', async () => {
    const body = fixtureText('urlhaus-csv_recent.csv').split('\n').slice(0, 9).join('\n');
    const r = await runParser(parse, textChunks(body, 7));
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.entries.length, 0);
  });
});

describe('urlhaus JSON (json_online, json_recent, json)', () => {
  it('streams the dump keyed by id, in 7-byte chunks', async () => {
    const r = await parseBody(parse, fixture('urlhaus-json_recent.json'), 7);
    assert.deepEqual(r.summary, { format: 'json', recognised: true });
    assert.equal(r.rejects.length, 0);
    assert.equal(r.entries.length, 5);
    assert.ok(r.batches > 1);
    assert.deepEqual(r.entries[0], {
      value: 'http://115.55.237.117:37432/i',
      expect: ['url'],
      firstSeen: '2026-07-22T11:46:20Z',
      attributes: {
        status: 'online',
        threat: 'malware_download',
        tags: ['32-bit', 'elf', 'mips', 'Mozi'],
        lastOnline: '2026-07-22T11:46:20Z',
        reporter: 'geenensp',
        reference: 'https://urlhaus.abuse.ch/url/3890096/',
      },
      original: {
        id: '3890096',
        dateadded: '2026-07-22 11:46:20 UTC',
        url: 'http://115.55.237.117:37432/i',
        url_status: 'online',
        last_online: '2026-07-22 11:46:20 UTC',
        threat: 'malware_download',
        tags: ['32-bit', 'elf', 'mips', 'Mozi'],
        urlhaus_link: 'https://urlhaus.abuse.ch/url/3890096/',
        reporter: 'geenensp',
      },
    });
  });

  it('reads null last_online, null and empty tags, and several records under one id', async () => {
    const r = await parseBody(parse, fixture('urlhaus-json_recent.json'), 7);
    const byId = (id: string) => r.entries.filter((e) => e.original.id === id);
    assert.equal(byId('3890095')[0]?.attributes.lastOnline, undefined);
    assert.equal(byId('3890095')[0]?.original.last_online, null);
    assert.equal(byId('3890094')[0]?.attributes.tags, undefined);
    assert.equal(byId('3890094')[0]?.original.tags, null);
    assert.equal(byId('3890093').length, 2);
    assert.equal(byId('3890093')[0]?.attributes.tags, undefined);
    assert.deepEqual(byId('3890093')[1]?.attributes.tags, ['exe']);
  });

  it('keeps multi-byte UTF-8 URLs intact across 1-byte chunks', async () => {
    const r = await parseBody(parse, fixture('urlhaus-json_recent.json'), 1);
    assert.deepEqual(
      r.entries.slice(3).map((e) => e.value),
      ['http://пример-загрузка.рф/файл.exe', 'http://例え.テスト/ダウンロード.exe'],
    );
  });

  it('reads {} as a recognised empty dump', async () => {
    const r = await runParser(parse, textChunks('{}\n'));
    assert.deepEqual(r.summary, { format: 'json', recognised: true });
    assert.equal(r.entries.length, 0);
  });

  it('throws FEED_TRUNCATED when the JSON ends before the document closes', async () => {
    const text = fixtureText('urlhaus-json_recent.json');
    await assert.rejects(parseBody(parse, text.slice(0, text.length - 3), 7), isAppError('FEED_TRUNCATED'));
    await assert.rejects(parseBody(parse, text.slice(0, 700), 7), isAppError('FEED_TRUNCATED'));
  });

  it('throws FEED_FORMAT on invalid JSON and on the API error envelope', async () => {
    await assert.rejects(runParser(parse, textChunks('{"1": [}')), isAppError('FEED_FORMAT'));
    await assert.rejects(
      runParser(parse, textChunks('{"query_status": "unknown_auth_key"}')),
      isAppError('FEED_FORMAT', /unknown_auth_key/),
    );
    await assert.rejects(runParser(parse, textChunks('{"1": []} {"2": []}')), isAppError('FEED_FORMAT'));
  });

  it('rejects a record without url or that is not an object', async () => {
    const r = await runParser(
      parse,
      textChunks('{"1": [{"url_status": "online"}, 42, {"url": " http://ok.example/ "}]}'),
    );
    assert.deepEqual(
      r.entries.map((e) => e.value),
      ['http://ok.example/'],
    );
    assert.deepEqual(
      r.rejects.map((x) => x.reason),
      ['URLhaus id 1: the record has no url', 'URLhaus id 1: the record is not an object'],
    );
  });
});

describe('urlhaus text (text_online)', () => {
  it('reads one URL per line', async () => {
    const r = await parseBody(parse, fixture('urlhaus-text_online.txt'), 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.equal(r.entries.length, 5);
    assert.deepEqual(r.entries[3], {
      value: 'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe',
      expect: ['url'],
      attributes: {},
      original: { value: 'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe' },
      line: 4,
    });
  });

  it('skips # lines and blanks, handles CRLF and no final newline, rejects lines with inner whitespace', async () => {
    const body =
      '################\r\n# abuse.ch URLhaus Database Dump (online URLs)\r\n#\r\n\r\nhttp://a.example/x\r\n   \r\n  http://b.example/y  \r\nhttp://c.example/ two\r\n# END\r\nhttp://d.example/z';
    const r = await parseBody(parse, body, 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.deepEqual(
      r.entries.map((e) => [e.line, e.value]),
      [
        [5, 'http://a.example/x'],
        [7, 'http://b.example/y'],
        [10, 'http://d.example/z'],
      ],
    );
    assert.deepEqual(r.rejects, [
      {
        line: 8,
        raw: 'http://c.example/ two',
        reason: 'the line holds more than one value (whitespace inside)',
      },
    ]);
  });

  it('does not recognise an empty body', async () => {
    const r = await runParser(parse, decodeBody(byteChunks('')));
    assert.deepEqual(r.summary, { format: 'text', recognised: false });
    assert.equal(r.entries.length, 0);
  });

  it('refuses an HTML page', async () => {
    await assert.rejects(parseBody(parse, fixture('html-error-page.html')), isAppError('FEED_HTML'));
  });
});

describe('parseTags', () => {
  it('reads CSV and JSON tag forms', () => {
    assert.deepEqual(parseTags('32-bit,elf,mips,Mozi'), ['32-bit', 'elf', 'mips', 'Mozi']);
    assert.deepEqual(parseTags(' a , b ,'), ['a', 'b']);
    assert.equal(parseTags('None'), undefined);
    assert.equal(parseTags(''), undefined);
    assert.equal(parseTags(null), undefined);
    assert.equal(parseTags([]), undefined);
    assert.deepEqual(parseTags(['exe', null, ' rat ']), ['exe', 'rat']);
  });

  it('hands out independent arrays for a repeated tag list', () => {
    const a = parseTags('x,y');
    a?.push('z');
    assert.deepEqual(parseTags('x,y'), ['x', 'y']);
  });
});

describe('urlhaus streaming at scale', () => {
  it('streams 200,000 CSV rows without accumulating them', async () => {
    const head = fixtureText('urlhaus-csv_recent.csv').split('\n').slice(0, 9).join('\n');
    const rows = 200_000;
    async function* body(): AsyncGenerator<Uint8Array> {
      const enc = new TextEncoder();
      yield enc.encode(`${head}\n`);
      let buf = '';
      for (let i = 0; i < rows; i++) {
        const id = 4000000 + i;
        buf += `"${id}","2026-02-26 12:05:20","http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:58801/i","online","2026-02-26 12:05:20","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/${id}/","geenensp"\n`;
        if (buf.length > 65536) {
          yield enc.encode(buf);
          buf = '';
        }
      }
      yield enc.encode(buf);
    }
    const gen = parse(decodeBody(body()));
    let entries = 0;
    let batches = 0;
    let biggest = 0;
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        assert.deepEqual(r.value, { format: 'csv', recognised: true });
        break;
      }
      batches++;
      biggest = Math.max(biggest, r.value.length);
      entries += r.value.length;
    }
    assert.equal(entries, rows);
    assert.ok(batches > 100, `${batches} batches`);
    assert.ok(biggest < 2000, `largest batch ${biggest}`);
  });
});
