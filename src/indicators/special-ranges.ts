/**
 * Address ranges that must never become an indicator of compromise (and so never reach a firewall
 * blocklist): private, loopback, link-local, multicast, documentation, benchmarking, transition
 * mechanisms, anycast infrastructure and unallocated space.
 *
 * Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), plus every range
 * that ipaddr.js 2.5 `range()` reports as something other than `unicast` (the test suite checks
 * that this list covers all of those), plus IPv6 space outside 2000::/3, which IANA has not
 * allocated for global unicast.
 *
 * Order matters only for the rejection reason: the first matching entry is reported, so specific
 * ranges come before the broad catch-alls that contain them.
 *
 * `normalize.ts` parses this list once at module load and throws if an entry is malformed or has
 * host bits set.
 */
export interface SpecialRange {
  /** Network address and prefix length, canonical form. */
  readonly cidr: string;
  /** Short human-readable name, used in rejection reasons. */
  readonly name: string;
  /** The RFC that reserves or defines the range. */
  readonly rfc: string;
}

export const SPECIAL_RANGES: readonly SpecialRange[] = [
  // ---- IPv4 ----
  // RFC 1122 §3.2.1.3: "this host on this network"; 0.0.0.0 is the unspecified address.
  { cidr: '0.0.0.0/8', name: 'this network', rfc: 'RFC 1122' },
  // RFC 1918: private-use networks.
  { cidr: '10.0.0.0/8', name: 'private-use', rfc: 'RFC 1918' },
  // RFC 6598: shared address space for carrier-grade NAT.
  { cidr: '100.64.0.0/10', name: 'shared address space (CGNAT)', rfc: 'RFC 6598' },
  // RFC 1122 §3.2.1.3: loopback.
  { cidr: '127.0.0.0/8', name: 'loopback', rfc: 'RFC 1122' },
  // RFC 3927: IPv4 link-local.
  { cidr: '169.254.0.0/16', name: 'link-local', rfc: 'RFC 3927' },
  // RFC 1918: private-use networks.
  { cidr: '172.16.0.0/12', name: 'private-use', rfc: 'RFC 1918' },
  // RFC 6890 §2.2.2: IETF protocol assignments (DS-Lite, PCP/TURN anycast, NAT64 discovery, ...).
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments', rfc: 'RFC 6890' },
  // RFC 5737: documentation, TEST-NET-1.
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  // RFC 7535: AS112-v4 (DNAME redirection).
  { cidr: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535' },
  // RFC 7450: automatic multicast tunneling relay anycast.
  { cidr: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450' },
  // RFC 7526: deprecated 6to4 relay anycast (formerly RFC 3068).
  { cidr: '192.88.99.0/24', name: 'deprecated 6to4 relay anycast', rfc: 'RFC 7526' },
  // RFC 1918: private-use networks.
  { cidr: '192.168.0.0/16', name: 'private-use', rfc: 'RFC 1918' },
  // RFC 7534: AS112 direct delegation.
  { cidr: '192.175.48.0/24', name: 'AS112 direct delegation', rfc: 'RFC 7534' },
  // RFC 2544: network interconnect device benchmark testing.
  { cidr: '198.18.0.0/15', name: 'benchmarking', rfc: 'RFC 2544' },
  // RFC 5737: documentation, TEST-NET-2.
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  // RFC 5737: documentation, TEST-NET-3.
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  // RFC 5771: multicast (class D).
  { cidr: '224.0.0.0/4', name: 'multicast', rfc: 'RFC 5771' },
  // RFC 919 / RFC 8190: limited broadcast (listed before 240.0.0.0/4, which contains it).
  { cidr: '255.255.255.255/32', name: 'limited broadcast', rfc: 'RFC 919' },
  // RFC 1112 §4: reserved for future use (class E).
  { cidr: '240.0.0.0/4', name: 'reserved (class E)', rfc: 'RFC 1112' },

  // ---- IPv6 ----
  // RFC 4291 §2.5.2: unspecified address.
  { cidr: '::/128', name: 'unspecified', rfc: 'RFC 4291' },
  // RFC 4291 §2.5.3: loopback.
  { cidr: '::1/128', name: 'loopback', rfc: 'RFC 4291' },
  // RFC 4291 §2.5.5.2: IPv4-mapped addresses.
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped', rfc: 'RFC 4291' },
  // RFC 6145: IPv4-translated addresses (SIIT).
  { cidr: '::ffff:0:0:0/96', name: 'IPv4-translated', rfc: 'RFC 6145' },
  // RFC 4291 §2.5.5.1: deprecated IPv4-compatible addresses.
  { cidr: '::/96', name: 'IPv4-compatible (deprecated)', rfc: 'RFC 4291' },
  // RFC 6052: IPv4/IPv6 translation well-known prefix (NAT64).
  { cidr: '64:ff9b::/96', name: 'NAT64 well-known prefix', rfc: 'RFC 6052' },
  // RFC 8215: local-use IPv4/IPv6 translation prefix.
  { cidr: '64:ff9b:1::/48', name: 'local-use IPv4/IPv6 translation', rfc: 'RFC 8215' },
  // RFC 6666: discard-only prefix.
  { cidr: '100::/64', name: 'discard-only', rfc: 'RFC 6666' },
  // RFC 4380: Teredo.
  { cidr: '2001::/32', name: 'Teredo', rfc: 'RFC 4380' },
  // RFC 5180: benchmarking.
  { cidr: '2001:2::/48', name: 'benchmarking', rfc: 'RFC 5180' },
  // RFC 7450: automatic multicast tunneling.
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450' },
  // RFC 7535: AS112-v6.
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535' },
  // RFC 4843: deprecated ORCHID.
  { cidr: '2001:10::/28', name: 'ORCHID (deprecated)', rfc: 'RFC 4843' },
  // RFC 7343: ORCHIDv2.
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343' },
  // RFC 9374: drone remote ID protocol entity tags (DETs).
  { cidr: '2001:30::/28', name: 'drone remote ID entity tags', rfc: 'RFC 9374' },
  // RFC 2928: IETF protocol assignments (contains the entries above).
  { cidr: '2001::/23', name: 'IETF protocol assignments', rfc: 'RFC 2928' },
  // RFC 3849: documentation.
  { cidr: '2001:db8::/32', name: 'documentation', rfc: 'RFC 3849' },
  // RFC 3056: 6to4.
  { cidr: '2002::/16', name: '6to4', rfc: 'RFC 3056' },
  // RFC 7534: AS112 direct delegation.
  { cidr: '2620:4f:8000::/48', name: 'AS112 direct delegation', rfc: 'RFC 7534' },
  // RFC 9637: documentation (additional prefix).
  { cidr: '3fff::/20', name: 'documentation', rfc: 'RFC 9637' },
  // RFC 9602: SRv6 segment identifiers.
  { cidr: '5f00::/16', name: 'SRv6 SIDs', rfc: 'RFC 9602' },
  // RFC 4193: unique local addresses.
  { cidr: 'fc00::/7', name: 'unique local', rfc: 'RFC 4193' },
  // RFC 4291 §2.5.6: link-local unicast.
  { cidr: 'fe80::/10', name: 'link-local', rfc: 'RFC 4291' },
  // RFC 3879: deprecated site-local unicast.
  { cidr: 'fec0::/10', name: 'site-local (deprecated)', rfc: 'RFC 3879' },
  // RFC 4291 §2.7: multicast.
  { cidr: 'ff00::/8', name: 'multicast', rfc: 'RFC 4291' },
  // RFC 4291 §2.4 (IANA IPv6 Address Space): only 2000::/3 is global unicast; the rest of the
  // address space is reserved by the IETF. These three catch-alls cover everything outside it.
  { cidr: '::/3', name: 'outside global unicast 2000::/3', rfc: 'RFC 4291' },
  { cidr: '4000::/2', name: 'outside global unicast 2000::/3', rfc: 'RFC 4291' },
  { cidr: '8000::/1', name: 'outside global unicast 2000::/3', rfc: 'RFC 4291' },
];
