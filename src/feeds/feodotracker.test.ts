import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { feodotracker } from './feodotracker.js';
import { fixture, fixtureText, isAppError, parseBody, runParser, textChunks } from './fixtures/harness.js';

const parse = feodotracker.parse;

describe('feodotracker module', () => {
  it('is defined as the brief says', () => {
    assert.equal(feodotracker.name, 'feodotracker');
    assert.equal(feodotracker.defaultUrl, 'https://feodotracker.abuse.ch/downloads/ipblocklist.json');
    assert.equal(feodotracker.homepage, 'https://feodotracker.abuse.ch/');
    assert.equal(feodotracker.abuseCh, true);
    assert.equal(feodotracker.allowEmpty, true);
  });
});

describe('feodotracker CSV (ipblocklist.csv)', () => {
  it('parses the real 2024 file (uncommented quoted header, footer, no final newline) in 7-byte chunks', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.rejects.length, 0);
    assert.equal(r.entries.length, 28);
    assert.ok(r.batches > 1);
    assert.deepEqual(r.entries[0], {
      value: '192.9.135.73',
      expect: ['ipv4', 'ipv6'],
      firstSeen: '2023-05-23T17:51:44Z',
      attributes: { port: 1194, status: 'online', malware: 'Pikabot', lastOnline: '2024-04-01T00:00:00Z' },
      original: {
        first_seen_utc: '2023-05-23 17:51:44',
        dst_ip: '192.9.135.73',
        dst_port: '1194',
        c2_status: 'online',
        last_online: '2024-04-01',
        malware: 'Pikabot',
      },
      line: 10,
    });
    const last = r.entries[27];
    assert.equal(last?.value, '172.233.221.61');
    assert.equal(last?.line, 37);
    assert.equal(last?.attributes.port, 5938);
    assert.equal(r.entries.filter((e) => e.attributes.status === 'online').length, 4);
  });

  it('accepts the 2020 commented header (Firstseen,DstIP,DstPort,LastOnline,Malware)', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist_2020.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.entries.length, 9);
    assert.deepEqual(r.entries[5], {
      value: '64.207.182.168',
      expect: ['ipv4', 'ipv6'],
      firstSeen: '2020-10-29T19:14:20Z',
      attributes: { port: 8080, malware: 'Heodo', lastOnline: '2020-11-02T00:00:00Z' },
      original: {
        Firstseen: '2020-10-29 19:14:20',
        DstIP: '64.207.182.168',
        DstPort: '8080',
        LastOnline: '2020-11-02',
        Malware: 'Heodo',
      },
      line: 15,
    });
  });

  it('accepts the real 2019 file: 4-column commented header and no footer', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist_2019.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.deepEqual(
      r.entries.map((e) => [e.value, e.attributes.port, e.attributes.malware, e.firstSeen]),
      [['110.93.230.101', 990, 'Heodo', '2019-03-04T22:10:24Z']],
    );
  });

  it('reads an empty list with its banner as recognised, 0 entries', async () => {
    const r = await parseBody(parse, fixture('feodotracker-empty.csv'), 7);
    assert.deepEqual(r.summary, { format: 'csv', recognised: true });
    assert.equal(r.entries.length, 0);
    assert.equal(r.rejects.length, 0);
  });

  it('throws FEED_TRUNCATED when the # END footer is missing (body cut between rows)', async () => {
    const text = fixtureText('feodotracker-ipblocklist.csv');
    await assert.rejects(
      parseBody(parse, text.slice(0, text.indexOf('"2024-03-06 07:52:18"')), 7),
      isAppError('FEED_TRUNCATED', /END/),
    );
    await assert.rejects(
      parseBody(parse, text.replace('# END 28 entries', ''), 7),
      isAppError('FEED_TRUNCATED'),
    );
  });

  it('throws FEED_TRUNCATED when the body is cut inside a quoted field', async () => {
    const text = fixtureText('feodotracker-ipblocklist.csv');
    await assert.rejects(
      parseBody(parse, text.slice(0, text.indexOf('154.12.248.41') + 6), 7),
      isAppError('FEED_TRUNCATED'),
    );
  });

  it('throws FEED_FORMAT on a header with an unknown column', async () => {
    const text = fixtureText('feodotracker-ipblocklist.csv').replace('"malware"', '"malware","confidence"');
    await assert.rejects(parseBody(parse, text), isAppError('FEED_FORMAT', /unknown columns: confidence/));
  });

  it('rejects a row whose width differs from the header, keeps the others', async () => {
    const text = fixtureText('feodotracker-ipblocklist.csv').replace(
      '"2024-02-08 19:20:49","85.239.243.155","5000","offline","2024-03-11","Pikabot"',
      '"2024-02-08 19:20:49","85.239.243.155","5000"',
    );
    const r = await parseBody(parse, text);
    assert.equal(r.entries.length, 27);
    assert.deepEqual(r.rejects, [
      {
        line: 11,
        raw: '"2024-02-08 19:20:49","85.239.243.155","5000"',
        reason: 'expected 6 fields as in the header, got 3',
      },
    ]);
  });

  it('reads a gzip body and a CRLF copy', async () => {
    const gz = await parseBody(parse, gzipSync(fixture('feodotracker-ipblocklist.csv')), 7);
    assert.equal(gz.entries.length, 28);
    const crlf = await parseBody(
      parse,
      fixtureText('feodotracker-ipblocklist.csv').replaceAll('\n', '\r\n'),
      7,
    );
    assert.equal(crlf.entries.length, 28);
    assert.equal(crlf.entries[27]?.attributes.malware, 'Pikabot');
  });
});

describe('feodotracker text (ipblocklist_recommended.txt, ipblocklist.txt)', () => {
  it('parses the real CRLF excerpt', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist_recommended.txt'), 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.equal(r.entries.length, 21);
    assert.deepEqual(r.entries[0], {
      value: '8.8.8.8',
      expect: ['ipv4', 'ipv6'],
      attributes: {},
      original: { value: '8.8.8.8' },
      line: 10,
    });
    assert.equal(r.entries[20]?.value, '104.248.178.90');
    assert.equal(r.entries[20]?.line, 30);
    assert.ok(r.entries.every((e) => !e.value.includes('\r')));
  });

  it('reads an empty list with its banner as recognised, 0 entries', async () => {
    const r = await parseBody(parse, fixture('feodotracker-empty_recommended.txt'), 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.equal(r.entries.length, 0);
  });

  it('throws FEED_TRUNCATED without the # END footer', async () => {
    const text = fixtureText('feodotracker-ipblocklist_recommended.txt');
    await assert.rejects(
      parseBody(parse, text.slice(0, text.indexOf('# END')), 7),
      isAppError('FEED_TRUNCATED'),
    );
  });

  it('skips blank lines and rejects a line that is not a single value', async () => {
    const text = fixtureText('feodotracker-ipblocklist_recommended.txt').replace(
      '100.38.242.113\r\n',
      '100.38.242.113\r\n\r\n   \r\n1.2.3.4 5.6.7.8\r\n',
    );
    const r = await parseBody(parse, text, 7);
    assert.equal(r.entries.length, 21);
    assert.deepEqual(r.rejects, [
      { line: 14, raw: '1.2.3.4 5.6.7.8', reason: 'the line holds more than one value (whitespace inside)' },
    ]);
  });

  it('reads a bare IP list without banner (recognised by its entries)', async () => {
    const r = await runParser(parse, textChunks('1.2.3.4\n2001:db8::1\n'));
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.deepEqual(
      r.entries.map((e) => e.value),
      ['1.2.3.4', '2001:db8::1'],
    );
  });
});

describe('feodotracker JSON (ipblocklist.json)', () => {
  it('parses the array (real IntelMQ records) in 7-byte chunks', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist.json'), 7);
    assert.deepEqual(r.summary, { format: 'json', recognised: true });
    assert.equal(r.entries.length, 4);
    assert.deepEqual(r.entries[0], {
      value: '51.178.161.32',
      expect: ['ipv4', 'ipv6'],
      firstSeen: '2021-01-17T07:44:46Z',
      attributes: {
        port: 4643,
        status: 'online',
        malware: 'Dridex',
        country: 'FR',
        asn: 16276,
        asName: 'OVH',
        hostname: 'srv-web.ffconsulting.com',
        lastOnline: '2022-11-15T00:00:00Z',
      },
      original: {
        ip_address: '51.178.161.32',
        port: 4643,
        status: 'online',
        hostname: 'srv-web.ffconsulting.com',
        as_number: 16276,
        as_name: 'OVH',
        country: 'FR',
        first_seen: '2021-01-17 07:44:46',
        last_online: '2022-11-15',
        malware: 'Dridex',
      },
    });
  });

  it('reads hostname null and a missing first_seen', async () => {
    const r = await parseBody(parse, fixture('feodotracker-ipblocklist.json'), 7);
    const kr = r.entries[3];
    assert.equal(kr?.value, '1.234.21.73');
    assert.equal(kr?.firstSeen, undefined);
    assert.equal(kr?.attributes.hostname, undefined);
    assert.equal(kr?.original.hostname, null);
    assert.equal(kr?.attributes.asn, 9318);
    assert.equal(kr?.attributes.asName, 'SKB-AS SK Broadband Co Ltd');
  });

  it('reads [] as a recognised empty list', async () => {
    const r = await runParser(parse, textChunks('[]'));
    assert.deepEqual(r.summary, { format: 'json', recognised: true });
    assert.equal(r.entries.length, 0);
  });

  it('throws FEED_TRUNCATED on a cut array and FEED_FORMAT on an object', async () => {
    const text = fixtureText('feodotracker-ipblocklist.json');
    await assert.rejects(parseBody(parse, text.slice(0, 500), 7), isAppError('FEED_TRUNCATED'));
    await assert.rejects(
      runParser(parse, textChunks('{"error": "rate limited"}')),
      isAppError('FEED_FORMAT'),
    );
  });

  it('rejects a record without ip_address', async () => {
    const r = await runParser(
      parse,
      textChunks('[{"port": 443}, {"ip_address": "1.2.3.4", "port": "8080"}]'),
    );
    assert.deepEqual(
      r.entries.map((e) => [e.value, e.attributes.port]),
      [['1.2.3.4', 8080]],
    );
    assert.equal(r.rejects.length, 1);
    assert.match(r.rejects[0]?.reason ?? '', /ip_address/);
  });
});

describe('feodotracker: pages that are not the feed', () => {
  it('refuses the HTML page of the old blocklist URL', async () => {
    await assert.rejects(parseBody(parse, fixture('html-error-page.html'), 7), isAppError('FEED_HTML'));
  });

  it('does not recognise an empty body', async () => {
    const r = await runParser(parse, textChunks(''));
    assert.deepEqual(r.summary, { format: 'text', recognised: false });
  });
});
