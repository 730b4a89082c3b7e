import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import {
  cidrContains,
  cidrRange,
  ipToBigInt,
  ipv4ToNumber,
  normalizeCidr,
  normalizeDomain,
  normalizeIndicator,
  normalizeIPv4,
  normalizeIPv6,
  normalizeUrl,
} from './normalize.js';
import { SPECIAL_RANGES } from './special-ranges.js';
import { INDICATOR_TYPES, type IndicatorType, type Normalized } from './types.js';

const ALL = INDICATOR_TYPES;
const V4: readonly IndicatorType[] = ['ipv4'];
const V6: readonly IndicatorType[] = ['ipv6'];
const CIDR: readonly IndicatorType[] = ['cidr'];
const URL_: readonly IndicatorType[] = ['url'];
const DOMAIN: readonly IndicatorType[] = ['domain'];
const IPS: readonly IndicatorType[] = ['ipv4', 'cidr']; // ET Block-IPs: hosts and networks

/** `want` is the exact result for an accepted value, or a pattern its rejection reason must match. */
type Case = readonly [raw: string, expect: readonly IndicatorType[], want: Normalized | RegExp];

function ok(type: IndicatorType, value: string, note?: string): Normalized {
  return note === undefined ? { ok: true, type, value } : { ok: true, type, value, note };
}

function check(raw: string, expect: readonly IndicatorType[], want: Normalized | RegExp): void {
  const got = normalizeIndicator(raw, expect);
  if (want instanceof RegExp) {
    assert.equal(got.ok, false, `${JSON.stringify(raw)} should be rejected, got ${JSON.stringify(got)}`);
    if (!got.ok) assert.match(got.reason, want);
  } else {
    assert.deepEqual(got, want);
  }
}

function table(name: string, cases: readonly Case[]): void {
  describe(name, () => {
    for (const [raw, expect, want] of cases) {
      it(`${JSON.stringify(raw)} [${expect.join(',')}]`, () => check(raw, expect, want));
    }
  });
}

table('general input handling', [
  ['', ALL, /^empty value$/],
  ['   ', ALL, /^empty value$/],
  ['\r\n', ALL, /^empty value$/],
  ['\t', ALL, /^empty value$/],
  // whitespace and CRLF remnants around a value are trimmed
  ['  222.222.222.222  ', IPS, ok('ipv4', '222.222.222.222')],
  ['222.222.222.222\r', IPS, ok('ipv4', '222.222.222.222')],
  ['193.27.228.0/24\r\n', IPS, ok('cidr', '193.27.228.0/24')],
  ['\thttp://Pagos-Banc0.xyz\r', URL_, ok('url', 'http://pagos-banc0.xyz/')],
  ['\uFEFF8.8.8.8', IPS, ok('ipv4', '8.8.8.8')], // a BOM that slipped through
  // whitespace or control characters inside are never silently removed or joined
  ['8.8.8.8 8.8.4.4', IPS, /whitespace or control/],
  ['8.8.8.8\r8.8.4.4', IPS, /whitespace or control/],
  ['http://exa\tmple.com/', URL_, /whitespace or control/],
  ['http://example.com/a b', URL_, /whitespace or control/],
  ['exa mple.com', DOMAIN, /whitespace or control/],
  ['example.com\u0000', DOMAIN, /whitespace or control/],
]);

table('type must be one of expect', [
  ['8.8.8.8', URL_, /^expected url, got ipv4$/],
  ['8.8.8.8', ['url', 'domain'], /^expected url or domain, got ipv4$/],
  ['8.8.8.8', CIDR, /^expected cidr, got ipv4$/],
  ['2a00:1450:4001:82b::200e', V4, /^expected ipv4, got ipv6$/],
  ['2a00:1450:4001:82b::200e', DOMAIN, /^expected domain, got ipv6$/],
  ['193.27.228.0/24', V4, /^expected ipv4, got cidr$/],
  ['2a06:e480::/29', V6, /^expected ipv6, got cidr$/],
  ['http://evil.example.com/x', DOMAIN, /^expected domain, got url$/],
  ['http://evil.example.com/x', IPS, /^expected ipv4 or cidr, got url$/],
  ['evil.example.com', URL_, /^expected url, got domain$/],
  ['evil.example.com', IPS, /^expected ipv4 or cidr, got domain$/],
  ['1.2.3.4', DOMAIN, /^expected domain, got ipv4$/], // IPs are never domains
  ['0x7f.0.0.1', DOMAIN, /^expected domain, got ipv4$/],
  ['8.8.8.8', [], /^expected nothing, got ipv4$/],
]);

table('ipv4', [
  // ET Block-IPs Feodo section: a public unicast junk entry is kept, RFC 1918 is rejected
  ['222.222.222.222', IPS, ok('ipv4', '222.222.222.222')],
  ['192.168.1.101', IPS, /special-purpose address: private-use, 192\.168\.0\.0\/16 \(RFC 1918\)/],
  ['8.8.8.8', ALL, ok('ipv4', '8.8.8.8')],
  ['1.0.0.1', V4, ok('ipv4', '1.0.0.1')],
  // leading zeros: the parts are DECIMAL, never octal
  ['008.008.004.004', V4, ok('ipv4', '8.8.4.4')],
  ['017.0.0.1', V4, ok('ipv4', '17.0.0.1')],
  ['193.027.228.001', V4, ok('ipv4', '193.27.228.1')],
  ['0177.0.0.1', V4, /invalid IPv4/], // more than 3 digits in a part
  ['1.2.3', V4, /invalid IPv4/],
  ['1.2.3.4.5', V4, /invalid IPv4/],
  ['256.1.1.1', V4, /invalid IPv4/],
  ['1.2.3.256', V4, /invalid IPv4/],
  ['1..2.3', V4, /invalid IPv4/],
  ['.1.2.3', V4, /invalid IPv4/],
  ['1.2.3.4.', V4, /invalid IPv4/],
  ['16843009', V4, /invalid IPv4/], // a single 32-bit number
  ['0x7f.0.0.1', V4, /invalid IPv4/],
  ['0x7f000001', V4, /invalid IPv4/],
  ['1.2.3.0x4', V4, /invalid IPv4/],
  ['0x08.0x08.0x08.0x08', V4, /invalid IPv4/],
  ['-1.2.3.4', V4, /invalid IPv4/],
  // boundaries of special ranges
  ['172.15.255.255', V4, ok('ipv4', '172.15.255.255')],
  ['172.16.0.0', V4, /private-use/],
  ['172.31.255.255', V4, /private-use/],
  ['172.32.0.0', V4, ok('ipv4', '172.32.0.0')],
  ['100.63.255.255', V4, ok('ipv4', '100.63.255.255')],
  ['100.64.0.1', V4, /CGNAT/],
  ['100.128.0.0', V4, ok('ipv4', '100.128.0.0')],
  ['9.255.255.255', V4, ok('ipv4', '9.255.255.255')],
  ['11.0.0.0', V4, ok('ipv4', '11.0.0.0')],
  ['223.255.255.255', V4, ok('ipv4', '223.255.255.255')],
  // every kind of special-purpose address
  ['10.1.2.3', V4, /private-use, 10\.0\.0\.0\/8/],
  ['010.001.002.003', V4, /private-use, 10\.0\.0\.0\/8/],
  ['0.0.0.0', V4, /this network/],
  ['0.1.2.3', V4, /this network/],
  ['127.0.0.1', V4, /loopback/],
  ['169.254.169.254', V4, /link-local/],
  ['192.0.0.8', V4, /IETF protocol assignments/],
  ['192.0.2.1', V4, /documentation \(TEST-NET-1\)/],
  ['198.51.100.7', V4, /documentation \(TEST-NET-2\)/],
  ['203.0.113.9', V4, /documentation \(TEST-NET-3\)/],
  ['192.88.99.1', V4, /6to4 relay/],
  ['192.31.196.1', V4, /AS112/],
  ['192.175.48.1', V4, /AS112/],
  ['192.52.193.1', V4, /AMT/],
  ['198.18.0.1', V4, /benchmarking/],
  ['198.19.255.255', V4, /benchmarking/],
  ['224.0.0.1', V4, /multicast/],
  ['239.255.255.250', V4, /multicast/],
  ['240.0.0.1', V4, /class E/],
  ['255.255.255.255', V4, /limited broadcast/],
]);

table('ipv6', [
  ['2a00:1450:4001:82b::200e', V6, ok('ipv6', '2a00:1450:4001:82b::200e')],
  ['2A00:1450:4001:082B:0000:0000:0000:200E', V6, ok('ipv6', '2a00:1450:4001:82b::200e')],
  ['[2606:4700:4700::1111]', V6, ok('ipv6', '2606:4700:4700::1111')],
  [' [2606:4700:4700::1111]\r\n', ALL, ok('ipv6', '2606:4700:4700::1111')],
  // RFC 5952: longest zero run compressed, the first of equal runs, never a single zero group
  ['2a00:0:0:1:0:0:0:1', V6, ok('ipv6', '2a00:0:0:1::1')],
  ['2a00:0:0:1:1:0:0:1', V6, ok('ipv6', '2a00::1:1:0:0:1')],
  ['2a00:1:0:1:1:1:1:1', V6, ok('ipv6', '2a00:1:0:1:1:1:1:1')],
  ['2a00:1::', V6, ok('ipv6', '2a00:1::')],
  // zone ids
  ['fe80::1%eth0', V6, /zone identifiers/],
  ['2a00:1450::1%1', V6, /zone identifiers/],
  ['[2a00:1450::1%25eth0]', V6, /zone identifiers/],
  // malformed
  ['2a00:1:2:3:4:5:6:7:8', V6, /invalid IPv6/],
  ['2a00::1::2', V6, /invalid IPv6/],
  ['2a00:12345::1', V6, /invalid IPv6/],
  ['2a00:1:2:3:4:5:6:7::', V6, /invalid IPv6/], // '::' must stand for at least one group
  [':2a00::1', V6, /invalid IPv6/],
  ['2a00::1:', V6, /invalid IPv6/],
  ['2a00:::1', V6, /invalid IPv6/],
  ['[2a00::1', V6, /invalid IPv6/],
  ['[2a00::1]:443', V6, /invalid IPv6/], // ports are split off by the feed parser, not here
  ['::ffff:1.2.3', V6, /invalid IPv6/],
  ['::ffff:1.2.3.256', V6, /invalid IPv6/],
  ['1:2:3:4:5:6:7:1.2.3.4', V6, /invalid IPv6/],
  ['::ffff:0x1.2.3.4', V6, /./],
  // IPv4-mapped: becomes the IPv4 address when ipv4 is expected, else a special range
  ['::ffff:8.8.8.8', ALL, ok('ipv4', '8.8.8.8', 'IPv4-mapped address ::ffff:8.8.8.8 stored as ipv4 8.8.8.8')],
  ['::FFFF:808:808', V4, ok('ipv4', '8.8.8.8', 'IPv4-mapped address ::FFFF:808:808 stored as ipv4 8.8.8.8')],
  ['::ffff:192.168.1.101', ALL, /private-use/],
  ['::ffff:8.8.8.8', V6, /IPv4-mapped, ::ffff:0:0\/96 \(RFC 4291\)/],
  ['::ffff:0:8.8.8.8', V6, /IPv4-translated/],
  // special-purpose IPv6
  ['::', V6, /unspecified/],
  ['::1', V6, /loopback/],
  ['[::1]', ALL, /loopback/],
  ['::1.2.3.4', ALL, /IPv4-compatible/],
  ['fe80::1', V6, /link-local/],
  ['febf:ffff::1', V6, /link-local/],
  ['fec0::1', V6, /site-local/],
  ['fc00::1', V6, /unique local/],
  ['fd12:3456:789a::1', V6, /unique local/],
  ['ff02::1', V6, /multicast/],
  ['2001:db8::1', V6, /documentation, 2001:db8::\/32 \(RFC 3849\)/],
  ['2001:DB8:FFFF::1', V6, /documentation/],
  ['3fff::1', V6, /documentation, 3fff::\/20/],
  ['2002:c000:204::1', V6, /6to4/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', V6, /Teredo/],
  ['2001:2::1', V6, /benchmarking/],
  ['2001:3::1', V6, /AMT/],
  ['2001:4:112::1', V6, /AS112/],
  ['2620:4f:8000::1', V6, /AS112/],
  ['2001:10::1', V6, /ORCHID/],
  ['2001:20::1', V6, /ORCHIDv2/],
  ['2001:30::1', V6, /drone/],
  ['2001:100::1', V6, /IETF protocol assignments/],
  ['64:ff9b::8.8.8.8', V6, /NAT64/],
  ['64:ff9b:1::1', V6, /translation/],
  ['100::1', V6, /discard-only/],
  ['5f00::1', V6, /SRv6/],
  ['4000::1', V6, /outside global unicast/],
  ['1000::1', V6, /outside global unicast/],
  ['e000::1', V6, /outside global unicast/],
  // just outside special ranges
  ['2001:200::1', V6, ok('ipv6', '2001:200::1')],
  ['2001:db9::1', V6, ok('ipv6', '2001:db9::1')],
  ['2003::1', V6, ok('ipv6', '2003::1')],
  ['3ffe:ffff::1', V6, ok('ipv6', '3ffe:ffff::1')],
]);

table('cidr', [
  ['193.27.228.0/24', IPS, ok('cidr', '193.27.228.0/24')], // DShield /24 in ET Block-IPs
  ['2a06:e480::/29', ALL, ok('cidr', '2a06:e480::/29')], // Spamhaus DROP v6
  ['2A06:E480:0000::/029', CIDR, ok('cidr', '2a06:e480::/29')],
  ['193.27.228.0/024', CIDR, ok('cidr', '193.27.228.0/24')], // leading zeros in the prefix
  ['193.027.228.000/24', CIDR, ok('cidr', '193.27.228.0/24')],
  ['1.2.3.4/24', CIDR, ok('cidr', '1.2.3.0/24', 'host bits set in 1.2.3.4/24, stored as 1.2.3.0/24')],
  ['1.2.3.4/31', CIDR, ok('cidr', '1.2.3.4/31')],
  ['1.2.3.5/31', CIDR, ok('cidr', '1.2.3.4/31', 'host bits set in 1.2.3.5/31, stored as 1.2.3.4/31')],
  [
    '2a06:e480::1/29',
    CIDR,
    ok('cidr', '2a06:e480::/29', 'host bits set in 2a06:e480::1/29, stored as 2a06:e480::/29'),
  ],
  ['1.0.0.0/8', CIDR, ok('cidr', '1.0.0.0/8')], // broadest accepted IPv4
  ['2a00::/16', CIDR, ok('cidr', '2a00::/16')], // broadest accepted IPv6
  ['2000::/16', CIDR, ok('cidr', '2000::/16')],
  // a single host becomes an IP when that type is expected
  ['8.8.8.8/32', IPS, ok('ipv4', '8.8.8.8', 'single-host CIDR 8.8.8.8/32 stored as ipv4 8.8.8.8')],
  ['8.8.8.8/32', V4, ok('ipv4', '8.8.8.8', 'single-host CIDR 8.8.8.8/32 stored as ipv4 8.8.8.8')],
  ['8.8.8.8/32', CIDR, ok('cidr', '8.8.8.8/32')],
  ['10.0.0.1/32', IPS, /private-use/],
  ['10.0.0.1/32', CIDR, /overlaps special-purpose range: private-use/],
  [
    '2a00:1450::1/128',
    ['ipv6', 'cidr'],
    ok('ipv6', '2a00:1450::1', 'single-host CIDR 2a00:1450::1/128 stored as ipv6 2a00:1450::1'),
  ],
  ['2a00:1450::1/128', CIDR, ok('cidr', '2a00:1450::1/128')],
  [
    '::ffff:8.8.8.8/128',
    IPS,
    ok('ipv4', '8.8.8.8', 'single-host CIDR ::ffff:8.8.8.8/128 stored as ipv4 8.8.8.8'),
  ],
  ['193.27.228.0/24', V4, /^expected ipv4, got cidr$/],
  // special ranges: inside one, equal to one, or containing one
  ['0.0.0.0/8', IPS, /overlaps special-purpose range: this network, 0\.0\.0\.0\/8/],
  ['10.0.0.0/8', IPS, /overlaps special-purpose range: private-use, 10\.0\.0\.0\/8 \(RFC 1918\)/],
  ['10.20.0.0/16', IPS, /private-use/],
  ['172.0.0.0/8', IPS, /private-use, 172\.16\.0\.0\/12/], // contains 172.16.0.0/12
  ['192.0.0.0/16', IPS, /IETF protocol assignments/],
  ['198.0.0.0/8', IPS, /benchmarking/],
  ['203.0.113.0/25', IPS, /TEST-NET-3/],
  ['224.0.0.0/8', IPS, /multicast/],
  ['2001:db8::/32', CIDR, /documentation/],
  ['2001:db8:1::/48', CIDR, /documentation/],
  ['2001::/16', CIDR, /overlaps special-purpose range: Teredo/],
  ['2620::/16', CIDR, /AS112 direct delegation, 2620:4f:8000::\/48/], // contains it; 2620:: itself is fine
  ['2620:100::/24', CIDR, ok('cidr', '2620:100::/24')],
  ['fd12:3456::/32', CIDR, /unique local/],
  ['::ffff:0:0/96', CIDR, /IPv4-mapped/],
  // too broad
  ['8.0.0.0/7', IPS, /too broad: IPv4 prefixes shorter than \/8/],
  ['0.0.0.0/0', IPS, /too broad/],
  ['2a00::/15', CIDR, /too broad: IPv6 prefixes shorter than \/16/],
  ['::/0', CIDR, /too broad/],
  ['fc00::/7', CIDR, /too broad|unique local/],
  // malformed
  ['1.2.3.0/33', IPS, /IPv4 prefix length must be 0-32/],
  ['2a06:e480::/129', CIDR, /IPv6 prefix length must be 0-128/],
  ['1.2.3.0/', IPS, /prefix length is not a decimal number/],
  ['1.2.3/24', IPS, /network address is not a valid IP/],
  ['256.2.3.0/24', IPS, /network address is not a valid IP/],
  ['2a06:e480:::/29', CIDR, /network address is not a valid IP/],
  ['fe80::%eth0/64', CIDR, /zone identifiers/],
  ['1.2.3.0/24/8', IPS, /./],
  ['1.2.3.0/-8', IPS, /./],
]);

table('url', [
  // URLhaus values: host lower-cased, path, percent-encoding and query kept
  ['http://Pagos-Banc0.xyz', URL_, ok('url', 'http://pagos-banc0.xyz/')],
  [
    'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe',
    URL_,
    ok('url', 'https://pub-462189601a584e8fad4889d4ed31f4f4.r2.dev/Zoom%20Setup.exe'),
  ],
  ['http://182.126.120.150:58801/i', URL_, ok('url', 'http://182.126.120.150:58801/i')],
  [
    'http://ex.com/%7e%2F/a%20b?q=%41&r=1,2#frag',
    URL_,
    ok('url', 'http://ex.com/%7e%2F/a%20b?q=%41&r=1,2#frag'),
  ],
  ['HTTP://EX.COM/Path/File.EXE?Q=A', URL_, ok('url', 'http://ex.com/Path/File.EXE?Q=A')],
  // default ports dropped, others kept
  ['http://ex.com:80/a', URL_, ok('url', 'http://ex.com/a')],
  ['https://ex.com:443/a', URL_, ok('url', 'https://ex.com/a')],
  ['ftp://ex.com:21/a', URL_, ok('url', 'ftp://ex.com/a')],
  ['http://ex.com:8080/a', URL_, ok('url', 'http://ex.com:8080/a')],
  ['https://ex.com:80/a', URL_, ok('url', 'https://ex.com:80/a')],
  // IDN host to punycode
  ['http://bücher.de/pfad', URL_, ok('url', 'http://xn--bcher-kva.de/pfad')],
  ['https://BÜCHER.de', URL_, ok('url', 'https://xn--bcher-kva.de/')],
  ['ftp://files.example.org/pub/a.exe', URL_, ok('url', 'ftp://files.example.org/pub/a.exe')],
  // hosts are not filtered by address
  ['http://192.168.1.101/x.sh', URL_, ok('url', 'http://192.168.1.101/x.sh')],
  ['http://localhost:8080/x', URL_, ok('url', 'http://localhost:8080/x')],
  ['http://[2001:DB8::1]:8080/x', URL_, ok('url', 'http://[2001:db8::1]:8080/x')],
  // scheme
  ['hxxp://evil.example.com/x', URL_, /unsupported URL scheme "hxxp"/], // defanged: never rewritten
  ['hxxps://evil.example.com/x', URL_, /unsupported URL scheme "hxxps"/],
  ['javascript://alert(1)', URL_, /unsupported URL scheme "javascript"/],
  ['file:///etc/passwd', URL_, /unsupported URL scheme "file"/],
  ['ws://evil.example.com/', URL_, /unsupported URL scheme "ws"/],
  ['httpx://evil.example.com/', URL_, /unsupported URL scheme/],
  ['evil.example.com/x.exe', URL_, /missing scheme/],
  ['evil.example.com:8080', URL_, /missing scheme/],
  ['//evil.example.com/x', URL_, /missing scheme/],
  ['mailto:a@example.com', URL_, /missing scheme/],
  // host
  ['http://', URL_, /empty host/],
  ['http:///x', URL_, /empty host/], // WHATWG would silently read host "x"
  ['http://?q=1', URL_, /empty host/],
  ['https://#f', URL_, /empty host/],
  ['http://:80/', URL_, /invalid URL/],
  ['http://[::1/', URL_, /invalid URL/],
  ['http://ex%00ample.com/', URL_, /invalid URL/],
]);

table('domain', [
  ['example.com', DOMAIN, ok('domain', 'example.com')],
  ['Example.COM.', DOMAIN, ok('domain', 'example.com')],
  ['Pagos-Banc0.xyz', DOMAIN, ok('domain', 'pagos-banc0.xyz')],
  [
    'pub-462189601a584e8fad4889d4ed31f4f4.r2.dev',
    DOMAIN,
    ok('domain', 'pub-462189601a584e8fad4889d4ed31f4f4.r2.dev'),
  ],
  ['a.b.example.co.uk', DOMAIN, ok('domain', 'a.b.example.co.uk')],
  ['bücher.de', DOMAIN, ok('domain', 'xn--bcher-kva.de')],
  ['BÜCHER.DE.', DOMAIN, ok('domain', 'xn--bcher-kva.de')],
  ['xn--bcher-kva.de', DOMAIN, ok('domain', 'xn--bcher-kva.de')],
  ['XN--BCHER-KVA.DE', DOMAIN, ok('domain', 'xn--bcher-kva.de')],
  ['a_b.example.com', DOMAIN, ok('domain', 'a_b.example.com')], // underscores occur in real DNS names
  [`${'a'.repeat(63)}.com`, DOMAIN, ok('domain', `${'a'.repeat(63)}.com`)],
  // no public suffix
  ['localhost', DOMAIN, /not under a known public suffix/],
  ['printer.local', DOMAIN, /not under a known public suffix/],
  ['foo.invalidtld', DOMAIN, /not under a known public suffix/],
  ['com', DOMAIN, /no registrable domain/],
  ['co.uk', DOMAIN, /no registrable domain/],
  // syntax
  ['evil[.]com', DOMAIN, /not a syntactically valid hostname/], // defanged: never rewritten
  ['evil(.)com', DOMAIN, /not a syntactically valid hostname/],
  ['-evil.com', DOMAIN, /not a syntactically valid hostname/],
  ['evil-.com', DOMAIN, /not a syntactically valid hostname/],
  ['evil..com', DOMAIN, /not a syntactically valid hostname/],
  ['.evil.com', DOMAIN, /not a syntactically valid hostname/],
  ['evil.com..', DOMAIN, /not a syntactically valid hostname/],
  ['user@evil.com', DOMAIN, /not a syntactically valid hostname/],
  [`${'a'.repeat(64)}.com`, DOMAIN, /not a syntactically valid hostname/],
  [`${'abcdefghi.'.repeat(25)}com`, DOMAIN, ok('domain', `${'abcdefghi.'.repeat(25)}com`)], // 253 chars
  [`a${'abcdefghi.'.repeat(25)}com`, DOMAIN, /not a syntactically valid hostname/], // 254 chars
  ['xn--zz.com', DOMAIN, /punycode/],
  ['a\u00a0b.com', DOMAIN, /./],
  // IP-shaped values are never domains
  ['8.8.8.8', DOMAIN, /expected domain, got ipv4/],
  ['0x08080808', DOMAIN, /expected domain, got ipv4/],
  ['1.2.3', DOMAIN, /expected domain, got ipv4/],
  ['example.123', DOMAIN, /expected domain, got ipv4/],
]);

describe('shape detection with every type expected', () => {
  const cases: readonly Case[] = [
    ['8.8.8.8', ALL, ok('ipv4', '8.8.8.8')],
    ['2a00:1450:4001:82b::200e', ALL, ok('ipv6', '2a00:1450:4001:82b::200e')],
    ['193.27.228.0/24', ALL, ok('cidr', '193.27.228.0/24')],
    ['http://Pagos-Banc0.xyz/a', ALL, ok('url', 'http://pagos-banc0.xyz/a')],
    ['Pagos-Banc0.xyz', ALL, ok('domain', 'pagos-banc0.xyz')],
  ];
  for (const [raw, expect, want] of cases) it(JSON.stringify(raw), () => check(raw, expect, want));
});

// ---------------------------------------------------------------------------------------------
// Agreement with ipaddr.js
// ---------------------------------------------------------------------------------------------

type Range<T> = [T, number];
function rangesOf<T>(value: Range<T> | Range<T>[]): Range<T>[] {
  return Array.isArray(value[0]) ? (value as Range<T>[]) : [value as Range<T>];
}

/** The ranges behind ipaddr.js `range()` (not in its typings, but stable runtime data). */
const ipaddrV4Ranges = (
  ipaddr.IPv4.prototype as unknown as {
    SpecialRanges: Record<string, Range<ipaddr.IPv4> | Range<ipaddr.IPv4>[]>;
  }
).SpecialRanges;
const ipaddrV6Ranges = (
  ipaddr.IPv6.prototype as unknown as {
    SpecialRanges: Record<string, Range<ipaddr.IPv6> | Range<ipaddr.IPv6>[]>;
  }
).SpecialRanges;

/** Deterministic pseudo-random numbers (LCG), so failures are reproducible. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

describe('special ranges agree with ipaddr.js range()', () => {
  it('every ipaddr.js IPv4 special range is rejected (first address, last address, network)', () => {
    let count = 0;
    for (const [name, value] of Object.entries(ipaddrV4Ranges)) {
      for (const [addr, bits] of rangesOf(value)) {
        const first = addr.toString();
        const last = ipaddr.IPv4.broadcastAddressFromCIDR(`${first}/${bits}`).toString();
        for (const ip of [first, last]) {
          const r = normalizeIndicator(ip, V4);
          assert.equal(r.ok, false, `${ip} (${name}) must be rejected`);
        }
        assert.equal(normalizeIndicator(`${first}/${bits}`, CIDR).ok, false, `${first}/${bits} (${name})`);
        count++;
      }
    }
    assert.ok(count >= 15, `expected ipaddr.js to list IPv4 ranges, found ${count}`);
  });

  it('every ipaddr.js IPv6 special range is rejected (first address, last address, network)', () => {
    let count = 0;
    for (const [name, value] of Object.entries(ipaddrV6Ranges)) {
      for (const [addr, bits] of rangesOf(value)) {
        const first = addr.toRFC5952String();
        const last = ipaddr.IPv6.broadcastAddressFromCIDR(`${first}/${bits}`).toRFC5952String();
        for (const ip of [first, last]) {
          assert.equal(normalizeIndicator(ip, V6).ok, false, `${ip} (${name}) must be rejected`);
        }
        assert.equal(normalizeIndicator(`${first}/${bits}`, CIDR).ok, false, `${first}/${bits} (${name})`);
        count++;
      }
    }
    assert.ok(count >= 20, `expected ipaddr.js to list IPv6 ranges, found ${count}`);
  });

  it('random IPv4: accepted exactly when ipaddr.js says unicast', () => {
    const next = lcg(42);
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      const n = next();
      const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      const unicast = ipaddr.IPv4.parse(ip).range() === 'unicast';
      const r = normalizeIndicator(ip, V4);
      assert.equal(r.ok, unicast, `${ip}: ipaddr.js range ${ipaddr.IPv4.parse(ip).range()}`);
      if (r.ok) {
        accepted++;
        assert.equal(r.value, ip);
      }
    }
    assert.ok(accepted > 40_000 && accepted < 50_000, `accepted ${accepted}`);
  });

  it('random IPv6: never accepted when ipaddr.js says not unicast; output matches toRFC5952String', () => {
    const next = lcg(7);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      // Mostly 2000::/3 (and its special sub-ranges), sometimes anywhere, with zero runs.
      const parts = Array.from({ length: 8 }, () => (next() % 3 === 0 ? 0 : next() & 0xffff));
      const top = next() % 4;
      if (top === 0) parts[0] = 0x2000 | (parts[0]! & 0x1fff);
      else if (top === 1) parts[0] = 0x2001;
      else if (top === 2) parts[0] = [0x2002, 0x2620, 0x3fff, 0x2a06][next() % 4]!;
      const addr = new ipaddr.IPv6(parts);
      const text = parts.map((p) => p.toString(16).padStart(4, '0')).join(':');
      const r = normalizeIndicator(text, V6);
      if (addr.range() !== 'unicast') assert.equal(r.ok, false, `${text} is ${addr.range()}`);
      if (r.ok) {
        accepted++;
        assert.equal(r.value, addr.toRFC5952String());
      }
    }
    assert.ok(accepted > 1000, `accepted ${accepted}`);
  });

  it('IPv6 text forms parse to the same address as ipaddr.js', () => {
    const forms = [
      '2a00:1450:4001:82b::200e',
      '2A00:1450:4001:082B:0:0:0:200E',
      '2a00::',
      '::2a00',
      '2a00:0:0:0:0:0:0:1',
      '2a00:1:2:3:4:5:6:7',
      '2a00:1::2:3',
      '2a00:1:2:3:4:5:1.2.3.4',
      '2a00::1.2.3.4',
      '::ffff:1.2.3.4',
      '0:0:0:0:0:0:0:0',
    ];
    for (const f of forms) assert.equal(normalizeIPv6(f), ipaddr.IPv6.parse(f).toRFC5952String(), f);
  });
});

// ---------------------------------------------------------------------------------------------
// special-ranges.ts data
// ---------------------------------------------------------------------------------------------

describe('SPECIAL_RANGES data', () => {
  it('every entry is a canonical CIDR with a name and an RFC', () => {
    for (const r of SPECIAL_RANGES) {
      assert.equal(normalizeCidr(r.cidr), r.cidr, `${r.cidr} is not canonical`);
      assert.match(r.rfc, /^RFC \d+$/, r.cidr);
      assert.ok(r.name.length > 0, r.cidr);
    }
  });

  it('names the documentation ranges explicitly', () => {
    const cidrs = new Set(SPECIAL_RANGES.map((r) => r.cidr));
    for (const c of ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']) {
      assert.ok(cidrs.has(c), c);
    }
  });

  it('every entry is rejected as an address and as a network', () => {
    for (const r of SPECIAL_RANGES) {
      const [addr] = r.cidr.split('/');
      const ipResult = normalizeIndicator(addr!, r.cidr.includes(':') ? V6 : V4);
      assert.equal(ipResult.ok, false, r.cidr);
      assert.equal(normalizeIndicator(r.cidr, CIDR).ok, false, r.cidr);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Per-type helpers and numeric conversions
// ---------------------------------------------------------------------------------------------

describe('per-type helpers (syntax only, no special-range policy)', () => {
  it('normalizeIPv4', () => {
    assert.equal(normalizeIPv4('010.001.002.003'), '10.1.2.3');
    assert.equal(normalizeIPv4(' 192.168.1.101\r\n'), '192.168.1.101');
    assert.equal(normalizeIPv4('222.222.222.222'), '222.222.222.222');
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '0x7f.0.0.1', '1.2.3.4/32', '::1']) {
      assert.equal(normalizeIPv4(bad), null, bad);
    }
  });

  it('normalizeIPv6', () => {
    assert.equal(normalizeIPv6('[2001:DB8:0:0:0:0:0:1]'), '2001:db8::1');
    assert.equal(normalizeIPv6('::1'), '::1');
    assert.equal(normalizeIPv6('::ffff:1.2.3.4'), '::ffff:102:304');
    for (const bad of ['', 'fe80::1%eth0', '1.2.3.4', '2001:db8::/32', '[2001:db8::1', 'g::1']) {
      assert.equal(normalizeIPv6(bad), null, bad);
    }
  });

  it('normalizeCidr', () => {
    assert.equal(normalizeCidr('1.2.3.4/24'), '1.2.3.0/24');
    assert.equal(normalizeCidr('10.9.8.7/8'), '10.0.0.0/8');
    assert.equal(normalizeCidr('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(normalizeCidr('2A06:E480::1/029'), '2a06:e480::/29');
    assert.equal(normalizeCidr('8.8.8.8/32'), '8.8.8.8/32');
    for (const bad of ['', '1.2.3.4', '1.2.3.0/33', '::/129', '1.2.3/24', '1.2.3.0/x']) {
      assert.equal(normalizeCidr(bad), null, bad);
    }
  });

  it('normalizeUrl', () => {
    assert.equal(normalizeUrl('http://ex.com:80/a'), 'http://ex.com/a');
    assert.equal(normalizeUrl('hxxp://ex.com/a'), null);
    assert.equal(normalizeUrl('ex.com/a'), null);
  });

  it('normalizeDomain', () => {
    assert.equal(normalizeDomain('Bücher.de.'), 'xn--bcher-kva.de');
    assert.equal(normalizeDomain('localhost'), null);
    assert.equal(normalizeDomain('8.8.8.8'), null);
  });
});

describe('numeric conversions', () => {
  it('ipv4ToNumber', () => {
    assert.equal(ipv4ToNumber('1.2.3.4'), 0x01020304);
    assert.equal(ipv4ToNumber('0.0.0.0'), 0);
    assert.equal(ipv4ToNumber('255.255.255.255'), 4294967295); // unsigned
    assert.equal(ipv4ToNumber('128.0.0.0'), 2147483648);
    assert.equal(ipv4ToNumber('010.000.000.001'), 167772161);
    for (const bad of ['1.2.3', '256.0.0.0', '', 'x', '::1']) {
      assert.throws(() => ipv4ToNumber(bad), TypeError, bad);
    }
  });

  it('ipToBigInt', () => {
    assert.deepEqual(ipToBigInt('1.2.3.4'), { version: 4, value: 16909060n });
    assert.deepEqual(ipToBigInt('255.255.255.255'), { version: 4, value: 4294967295n });
    assert.deepEqual(ipToBigInt('::1'), { version: 6, value: 1n });
    assert.deepEqual(ipToBigInt('[2001:db8::1]'), { version: 6, value: (0x20010db8n << 96n) | 1n });
    assert.deepEqual(ipToBigInt('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), {
      version: 6,
      value: 2n ** 128n - 1n,
    });
    for (const bad of ['', 'x', '1.2.3', '1.2.3.4/32', '2001:db8::/32', 'fe80::1%eth0']) {
      assert.throws(() => ipToBigInt(bad), TypeError, bad);
    }
  });

  it('cidrRange', () => {
    assert.deepEqual(cidrRange('10.0.0.0/8'), { version: 4, start: 167772160n, end: 184549375n });
    assert.deepEqual(cidrRange('1.2.3.4/24'), { version: 4, start: 16909056n, end: 16909311n });
    assert.deepEqual(cidrRange('0.0.0.0/0'), { version: 4, start: 0n, end: 4294967295n });
    assert.deepEqual(cidrRange('8.8.8.8/32'), { version: 4, start: 134744072n, end: 134744072n });
    assert.deepEqual(cidrRange('8.8.8.8'), { version: 4, start: 134744072n, end: 134744072n });
    const v6 = 0x20010db8n << 96n;
    assert.deepEqual(cidrRange('2001:db8::/32'), { version: 6, start: v6, end: v6 + 2n ** 96n - 1n });
    const drop = 0x2a06e480n << 96n;
    assert.deepEqual(cidrRange('2a06:e480::/29'), { version: 6, start: drop, end: drop + 2n ** 99n - 1n });
    assert.deepEqual(cidrRange('::/0'), { version: 6, start: 0n, end: 2n ** 128n - 1n });
    for (const bad of ['', '1.2.3.0/33', '::/129', '1.2.3/8', 'example.com/8', '1.2.3.0/x']) {
      assert.throws(() => cidrRange(bad), TypeError, bad);
    }
  });

  it('cidrContains', () => {
    assert.equal(cidrContains('193.27.228.0/24', '193.27.228.0'), true);
    assert.equal(cidrContains('193.27.228.0/24', '193.27.228.255'), true);
    assert.equal(cidrContains('193.27.228.0/24', '193.27.229.0'), false);
    assert.equal(cidrContains('193.27.228.0/24', '193.27.227.255'), false);
    assert.equal(cidrContains('1.2.3.4/24', '1.2.3.200'), true); // host bits ignored
    assert.equal(cidrContains('2a06:e480::/29', '2a06:e487:ffff::1'), true);
    assert.equal(cidrContains('2a06:e480::/29', '2a06:e488::'), false);
    assert.equal(cidrContains('1.2.3.0/24', '::ffff:1.2.3.4'), false); // versions never mix
    assert.equal(cidrContains('::/0', '1.2.3.4'), false);
    assert.throws(() => cidrContains('1.2.3.0/24', 'nope'), TypeError);
    assert.throws(() => cidrContains('nope', '1.2.3.4'), TypeError);
  });
});
