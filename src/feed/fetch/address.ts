// The SSRF policy: which IP addresses the fetcher may connect to. Pure; no DNS, no sockets.

import { isIPv4, isIPv6 } from 'node:net';
import { GleanerError } from '../../model/errors.js';

/** What the operator allows beyond the public internet (`GLEANER_ALLOW_PRIVATE_NETWORKS`). */
export interface NetworkPolicy {
  /** Allow loopback, private, CGNAT, link-local, unique-local, documentation and reserved ranges. */
  allowPrivateNetworks: boolean;
  /** Ranges allowed whatever their kind, e.g. `['10.1.0.0/16', 'fd00::/8']`. */
  allowedCidrs: string[];
}

export const DEFAULT_NETWORK_POLICY: NetworkPolicy = { allowPrivateNetworks: false, allowedCidrs: [] };

/** Why an address is special; see the RFC 6890 special-purpose registries. */
export type AddressKind =
  | 'cloud metadata'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'invalid';

// Kinds that no TCP connection should ever reach, so `allowPrivateNetworks` does not unlock them.
export const NEVER_ALLOWED: ReadonlySet<AddressKind> = new Set<AddressKind>([
  'cloud metadata',
  'unspecified',
  'multicast',
  'broadcast',
  'invalid',
]);

interface Ip {
  version: 4 | 6;
  value: bigint;
}

interface Cidr extends Ip {
  prefix: number;
}

/** Parses `a.b.c.d`, `::1`, `[::1]`, `fe80::1%eth0`, `::ffff:1.2.3.4`; null when not an IP literal. */
export function parseIp(text: string): Ip | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (isIPv4(s)) return { version: 4, value: BigInt(ipv4ToNumber(s)) };
  if (isIPv6(s)) return { version: 6, value: ipv6ToBigInt(s) };
  return null;
}

function ipv4ToNumber(s: string): number {
  return s.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function ipv6ToBigInt(s: string): bigint {
  let text = s;
  let tail: number | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = ipv4ToNumber(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(left);
  const rest = right === undefined ? [] : groups(right);
  const zeros: string[] = Array<string>(8 - head.length - rest.length).fill('0');
  const all = right === undefined ? head : [...head, ...zeros, ...rest];
  let value = all.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
  if (tail !== null) value = (value & ~0xffffffffn) | BigInt(tail);
  return value;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128); null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const width = ip.version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return null;
  return { ...ip, prefix };
}

function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.version !== ip.version) return false;
  const shift = BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
  return cidr.value >> shift === ip.value >> shift;
}

function ranges(table: Array<[string, AddressKind]>): Array<[Cidr, AddressKind]> {
  return table.map(([text, kind]) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`bad built-in range ${text}`);
    return [cidr, kind];
  });
}

// Most specific first: the first match names the kind.
const SPECIAL_RANGES = ranges([
  ['169.254.169.254/32', 'cloud metadata'], // AWS, GCP, Azure, OpenStack, Oracle
  ['169.254.170.2/32', 'cloud metadata'], // AWS ECS task metadata
  ['100.100.100.200/32', 'cloud metadata'], // Alibaba Cloud
  ['fd00:ec2::254/128', 'cloud metadata'], // AWS IMDS over IPv6
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/32', 'unspecified'],
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
]);

const GLOBAL_UNICAST_V6 = parseCidr('2000::/3') as Cidr;

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo), if any. */
export function embeddedIPv4(ip: Ip): Ip | null {
  if (ip.version !== 6) return null;
  const v = ip.value;
  const low32 = v & 0xffffffffn;
  const top96 = v >> 32n;
  const asV4 = (value: bigint): Ip => ({ version: 4, value });
  if (top96 === 0xffffn) return asV4(low32); // ::ffff:a.b.c.d, IPv4-mapped
  if (top96 === 0xffff0000n) return asV4(low32); // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
  if (top96 === 0n && low32 > 1n) return asV4(low32); // ::a.b.c.d, IPv4-compatible (deprecated)
  if (top96 === 0x64ff9b0000000000000000n) return asV4(low32); // 64:ff9b::/96, NAT64
  if (v >> 112n === 0x2002n) return asV4((v >> 80n) & 0xffffffffn); // 2002::/16, 6to4
  if (v >> 96n === 0x20010000n) return asV4(low32 ^ 0xffffffffn); // 2001::/32, Teredo client (obfuscated)
  return null;
}

/** The special-purpose kind of an address, or null for an ordinary public one. */
export function classifyAddress(text: string): AddressKind | null {
  const ip = parseIp(text);
  if (!ip) return 'invalid';
  const inner = embeddedIPv4(ip);
  if (inner) return kindOf(inner);
  const kind = kindOf(ip);
  if (kind) return kind;
  return ip.version === 6 && !contains(GLOBAL_UNICAST_V6, ip) ? 'reserved' : null;
}

function kindOf(ip: Ip): AddressKind | null {
  for (const [cidr, kind] of SPECIAL_RANGES) if (contains(cidr, ip)) return kind;
  return null;
}

/** True when the fetcher must not connect to `ip` under `policy`. Unparseable input is blocked. */
export function isBlockedAddress(ip: string, policy: NetworkPolicy): boolean {
  const kind = classifyAddress(ip);
  if (kind === null) return false;
  if (kind === 'invalid' || NEVER_ALLOWED.has(kind)) return true;
  // A range the operator allows does not open what no setting does: 10.0.0.0/8 or fd00::/8 holds a
  // cloud's metadata address (fd00:ec2::254), as 100.64.0.0/10 does Alibaba's.
  return !(policy.allowPrivateNetworks || isInAllowedCidrs(ip, policy.allowedCidrs));
}

function isInAllowedCidrs(text: string, cidrs: string[]): boolean {
  const ip = parseIp(text);
  if (!ip || cidrs.length === 0) return false;
  const inner = embeddedIPv4(ip);
  return cidrs.some((entry) => {
    const cidr = parseCidr(entry);
    return cidr !== null && (contains(cidr, ip) || (inner !== null && contains(cidr, inner)));
  });
}

/**
 * Reads `GLEANER_ALLOW_PRIVATE_NETWORKS`: unset, empty or `0` keeps the default; `1` allows private
 * networks; otherwise a comma-separated list of CIDRs (`10.1.0.0/16,fd00::/8`) to allow.
 */
export function parseNetworkPolicy(value: string | undefined): NetworkPolicy {
  const text = value?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no', 'off'].includes(text)) return { ...DEFAULT_NETWORK_POLICY, allowedCidrs: [] };
  if (['1', 'true', 'yes', 'on'].includes(text)) return { allowPrivateNetworks: true, allowedCidrs: [] };
  const allowedCidrs = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of allowedCidrs) {
    if (!parseCidr(entry)) {
      throw new GleanerError(
        'CONFIG_INVALID',
        `GLEANER_ALLOW_PRIVATE_NETWORKS: "${entry}" is not an IP range; set it to 1 to allow all private ` +
          'networks, or to a comma-separated list of CIDRs such as 10.1.0.0/16,fd00::/8',
      );
    }
  }
  return { allowPrivateNetworks: false, allowedCidrs };
}
