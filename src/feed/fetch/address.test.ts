import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GleanerError } from '../../model/errors.js';
import {
  DEFAULT_NETWORK_POLICY,
  classifyAddress,
  isBlockedAddress,
  parseCidr,
  parseNetworkPolicy,
  type AddressKind,
} from './address.js';

const BLOCKED: Array<[string, AddressKind]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['169.254.1.1', 'link-local'],
  ['169.254.169.254', 'cloud metadata'],
  ['169.254.170.2', 'cloud metadata'],
  ['100.100.100.200', 'cloud metadata'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'cloud metadata'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['100::1', 'reserved'],
  ['4000::1', 'reserved'],
  // IPv4 inside IPv6: mapped, translated, compatible, NAT64, 6to4, Teredo.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'cloud metadata'],
  ['::ffff:0:192.168.0.1', 'private'],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a00:1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'cloud metadata'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'], // Teredo client 127.0.0.1, obfuscated
  // Not addresses at all: fail closed.
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['127.1', 'invalid'],
  ['010.0.0.1', 'invalid'],
  ['1.2.3.4.5', 'invalid'],
  ['::g', 'invalid'],
];

const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '169.253.255.255',
  '192.169.0.1',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '[2001:4860:4860::8888]',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:808:808::1',
];

describe('isBlockedAddress with the default policy', () => {
  for (const [ip, kind] of BLOCKED) {
    it(`blocks ${ip || '(empty)'} as ${kind}`, () => {
      assert.equal(classifyAddress(ip), kind);
      assert.equal(isBlockedAddress(ip, DEFAULT_NETWORK_POLICY), true);
    });
  }
  for (const ip of PUBLIC) {
    it(`allows ${ip}`, () => {
      assert.equal(classifyAddress(ip), null);
      assert.equal(isBlockedAddress(ip, DEFAULT_NETWORK_POLICY), false);
    });
  }
});

describe('isBlockedAddress with allowPrivateNetworks', () => {
  const policy = { allowPrivateNetworks: true, allowedCidrs: [] };
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['10.0.0.1', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.1.1', false],
    ['fe80::1', false],
    ['fd12::1', false],
    ['8.8.8.8', false],
    // Never reachable over TCP, or never a feed: still blocked.
    ['169.254.169.254', true],
    ['::ffff:169.254.169.254', true],
    ['fd00:ec2::254', true],
    ['0.0.0.0', true],
    ['::', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['not-an-ip', true],
  ];
  for (const [ip, blocked] of cases) {
    it(`${blocked ? 'blocks' : 'allows'} ${ip}`, () => assert.equal(isBlockedAddress(ip, policy), blocked));
  }
});

describe('isBlockedAddress with allowed CIDRs', () => {
  const policy = { allowPrivateNetworks: false, allowedCidrs: ['10.1.0.0/16', 'fd00:1::/32', '127.0.0.1'] };
  const cases: Array<[string, boolean]> = [
    ['10.1.2.3', false],
    ['::ffff:10.1.2.3', false],
    ['10.2.0.1', true],
    ['fd00:1::5', false],
    ['fd00:2::5', true],
    ['127.0.0.1', false],
    ['127.0.0.2', true],
    ['192.168.0.1', true],
    ['8.8.8.8', false],
  ];
  for (const [ip, blocked] of cases) {
    it(`${blocked ? 'blocks' : 'allows'} ${ip}`, () => assert.equal(isBlockedAddress(ip, policy), blocked));
  }

  // Ranges an operator may well allow (a LAN, a tailnet, everything) hold what no setting opens.
  const wide = {
    allowPrivateNetworks: false,
    allowedCidrs: ['fd00::/8', '100.64.0.0/10', '169.254.0.0/16', '0.0.0.0/0'],
  };
  for (const ip of [
    'fd00:ec2::254',
    '100.100.100.200',
    '169.254.169.254',
    '::ffff:169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
  ]) {
    it(`blocks ${ip} whatever range holds it`, () => assert.equal(isBlockedAddress(ip, wide), true));
  }
  it('allows the rest of those ranges', () => {
    for (const ip of ['fd00:1::5', '100.64.0.7', '169.254.1.1', '10.0.0.1'])
      assert.equal(isBlockedAddress(ip, wide), false, ip);
  });
});

describe('parseCidr', () => {
  const cases: Array<[string, boolean]> = [
    ['10.0.0.0/8', true],
    ['10.0.0.1/8', true],
    ['10.0.0.1', true],
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['fd00::/8', true],
    ['10.0.0.0/33', false],
    ['fd00::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/-1', false],
    ['example.com/8', false],
  ];
  for (const [text, valid] of cases) {
    it(`${valid ? 'accepts' : 'rejects'} ${text}`, () => assert.equal(parseCidr(text) !== null, valid));
  }
});

describe('parseNetworkPolicy', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseNetworkPolicy>]> = [
    [undefined, { allowPrivateNetworks: false, allowedCidrs: [] }],
    ['', { allowPrivateNetworks: false, allowedCidrs: [] }],
    ['0', { allowPrivateNetworks: false, allowedCidrs: [] }],
    ['1', { allowPrivateNetworks: true, allowedCidrs: [] }],
    [' true ', { allowPrivateNetworks: true, allowedCidrs: [] }],
    ['10.1.0.0/16', { allowPrivateNetworks: false, allowedCidrs: ['10.1.0.0/16'] }],
    ['10.1.0.0/16, fd00::/8,', { allowPrivateNetworks: false, allowedCidrs: ['10.1.0.0/16', 'fd00::/8'] }],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)}`, () => assert.deepEqual(parseNetworkPolicy(value), expected));
  }

  it('rejects an entry that is not a range, naming it and the fix', () => {
    assert.throws(
      () => parseNetworkPolicy('10.0.0.0/8,intranet'),
      (error: unknown) =>
        error instanceof GleanerError &&
        error.code === 'CONFIG_INVALID' &&
        error.message.includes('"intranet"') &&
        error.message.includes('GLEANER_ALLOW_PRIVATE_NETWORKS'),
    );
  });
});
