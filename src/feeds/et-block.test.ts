import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { etBlock } from './et-block.js';
import { fixture, fixtureText, parseBody, runParser, textChunks } from './fixtures/harness.js';

const parse = etBlock.parse;

describe('et-block module', () => {
  it('is defined as the brief says', () => {
    assert.equal(etBlock.name, 'et-block');
    assert.equal(etBlock.defaultUrl, 'https://rules.emergingthreats.net/fwrules/emerging-Block-IPs.txt');
    assert.equal(etBlock.abuseCh, false);
  });
});

describe('et-block parser', () => {
  it('parses the real excerpt: header, sections, IPs and CIDRs, no final newline', async () => {
    const r = await parseBody(parse, fixture('et-emerging-Block-IPs.txt'), 7);
    assert.deepEqual(r.summary, { format: 'text', recognised: true });
    assert.equal(r.rejects.length, 0);
    assert.equal(r.entries.length, 33);
    assert.equal(r.entries.filter((e) => e.value.includes('/')).length, 14);
    assert.deepEqual(r.entries[0], {
      value: '222.222.222.222',
      expect: ['ipv4', 'ipv6', 'cidr'],
      attributes: { section: 'Feodo' },
      original: { value: '222.222.222.222', section: 'Feodo' },
      line: 43,
    });
    assert.equal(r.entries[1]?.value, '192.168.1.101');
    const last = r.entries[32];
    assert.deepEqual(last, {
      value: '87.251.74.0/24',
      expect: ['ipv4', 'ipv6', 'cidr'],
      attributes: { section: 'Dshield Top Attackers' },
      original: { value: '87.251.74.0/24', section: 'Dshield Top Attackers' },
      line: 93,
    });
  });

  it('gives each entry its section heading, including "#Spamhaus DROP Nets" without a space', async () => {
    const r = await parseBody(parse, fixture('et-emerging-Block-IPs.txt'), 7);
    const count = new Map<string | undefined, number>();
    for (const e of r.entries) count.set(e.attributes.section, (count.get(e.attributes.section) ?? 0) + 1);
    assert.deepEqual(
      [...count],
      [
        ['Feodo', 19],
        ['Spamhaus DROP Nets', 10],
        ['Dshield Top Attackers', 4],
      ],
    );
    const drop = r.entries.find((e) => e.value === '1.10.16.0/20');
    assert.equal(drop?.attributes.section, 'Spamhaus DROP Nets');
  });

  it('does not take header lines (licence, # Rev) for sections; empty sections give nothing', async () => {
    const r = await parseBody(parse, fixture('et-emerging-Block-IPs.txt'), 64);
    const sections = new Set(r.entries.map((e) => e.attributes.section));
    assert.equal(sections.has('Rev 5793'), false);
    assert.equal(sections.has('Spyeye'), false);
    assert.equal(sections.has('Palevo'), false);
  });

  it('handles CRLF and whitespace lines', async () => {
    const text = fixtureText('et-emerging-Block-IPs.txt')
      .replaceAll('\n', '\r\n')
      .replace('\r\n\r\n# Spyeye', '\r\n \t\r\n# Spyeye');
    const r = await parseBody(parse, text, 7);
    assert.equal(r.entries.length, 33);
    assert.ok(r.entries.every((e) => !e.value.includes('\r') && !e.attributes.section?.includes('\r')));
  });

  it('rejects a line that is not a single value', async () => {
    const r = await runParser(
      parse,
      textChunks('# Emerging Threats fwip rules.\n\n# Feodo\n1.2.3.4\n1.2.3.0/24 # note\n', 5),
    );
    assert.deepEqual(
      r.entries.map((e) => [e.value, e.attributes.section]),
      [['1.2.3.4', 'Feodo']],
    );
    assert.deepEqual(r.rejects, [
      { line: 5, raw: '1.2.3.0/24 # note', reason: 'the line holds more than one value (whitespace inside)' },
    ]);
  });

  it('recognises the banner only; a list without it is not recognised', async () => {
    const bare = await runParser(parse, textChunks('1.2.3.4\n'));
    assert.deepEqual(bare.summary, { format: 'text', recognised: false });
    assert.equal(bare.entries.length, 1);
    assert.deepEqual(bare.entries[0]?.original, { value: '1.2.3.4' });
    const empty = await runParser(parse, textChunks('#\n# Emerging Threats fwip rules.\n#\n# Rev 1\n'));
    assert.deepEqual(empty.summary, { format: 'text', recognised: true });
    assert.equal(empty.entries.length, 0);
  });

  it('refuses an HTML page', async () => {
    await assert.rejects(parseBody(parse, fixture('html-error-page.html')), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'FEED_HTML');
      return true;
    });
  });
});
