// DNS for the fetcher: every address a name resolves to is checked against the policy at connect
// time, on the addresses the socket will actually use, which is what defeats DNS rebinding.

import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { classifyAddress, isBlockedAddress, type AddressKind, type NetworkPolicy } from './address.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests can point any name anywhere. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const resolveHost: ResolveHost = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A name resolved only to addresses the policy refuses; the fetcher turns it into a user-facing error. */
export class BlockedLookupError extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(`${hostname} resolves to ${address}, a blocked ${kind} address`);
    this.name = 'BlockedLookupError';
  }
}

/** A `net.connect` lookup that resolves with `resolve` and drops every address `policy` blocks. */
export function guardedLookup(resolve: ResolveHost, policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    resolve(hostname).then(
      (resolved) => {
        const candidates = resolved.filter((entry) => family === 0 || entry.family === family);
        const allowed = candidates.filter((entry) => !isBlockedAddress(entry.address, policy));
        const first = allowed[0];
        if (!first) {
          const refused = candidates[0];
          const error = refused
            ? new BlockedLookupError(hostname, refused.address, classifyAddress(refused.address) ?? 'invalid')
            : Object.assign(new Error(`${hostname} has no ${family ? `IPv${family} ` : ''}address`), {
                code: 'ENOTFOUND',
              });
          callback(error, '', 0);
        } else if (options.all) {
          callback(null, allowed);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
