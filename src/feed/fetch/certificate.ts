// A certificate one feed trusts beyond the usual authorities: its server's own self-signed one, or
// its private CA's (a NAS, a home server, an intranet). Where Miniflux turns verification off for
// such a feed (allow_self_signed_certificates), Gleaner keeps verifying, against the usual
// authorities plus that one certificate: a server that shows any other is refused as before.
//
// A self-signed certificate given here is trusted whatever name it was made for (a server reached
// by its address, or by a name its certificate lacks): it is this certificate, not a name, that
// the feed's owner vouched for. Any other certificate, a CA's included, must name its host.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  checkServerIdentity,
  createSecureContext,
  rootCertificates,
  type ConnectionOptions,
  type DetailedPeerCertificate,
  type PeerCertificate,
} from 'node:tls';
import { GleanerError } from '../../model/errors.js';

/** Longer than any certificate a server of one's own sends (a 4,096-bit RSA one is ~2 KB). */
export const MAX_CERTIFICATE_CHARS = 16 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** A certificate as a feed trusts it: its PEM text (the stored form) and its SHA-256 fingerprint. */
export interface TrustedCertificate {
  pem: string;
  /** SHA-256 of the DER form, as `AB:CD:…`, the way browsers and `openssl x509 -fingerprint` show it. */
  fingerprint: string;
}

/**
 * The one certificate `text` holds (PEM, as `openssl s_client -showcerts` or a browser saves it),
 * in its stored form; a USAGE error saying what is wrong with it otherwise.
 */
export function parseTrustedCertificate(text: string): TrustedCertificate {
  if (text.length > MAX_CERTIFICATE_CHARS)
    throw new GleanerError(
      'USAGE',
      `the certificate is too long (at most ${MAX_CERTIFICATE_CHARS} characters)`,
    );
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', text: m[0] }));
  if (blocks.some((b) => b.label.includes('PRIVATE KEY')))
    throw new GleanerError(
      'USAGE',
      'that is a private key, which must never leave its server: give the certificate (-----BEGIN CERTIFICATE-----) instead',
    );
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  const first = certificates[0];
  if (!first)
    throw new GleanerError(
      'USAGE',
      'give the certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
    );
  if (certificates.length > 1)
    throw new GleanerError(
      'USAGE',
      `give one certificate, not ${certificates.length}: the server's own when it is self-signed, otherwise its CA's`,
    );
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(first.text);
  } catch {
    throw new GleanerError(
      'USAGE',
      'the certificate cannot be read: it is damaged or not an X.509 certificate',
    );
  }
  // Node ends a chain only at a CA's certificate or a self-signed one: a server's own certificate
  // signed by a CA would never vouch for anything, and every fetch would fail.
  const selfSigned = certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
  if (!certificate.ca && !selfSigned)
    throw new GleanerError(
      'USAGE',
      `that is a server's certificate signed by ${oneLine(certificate.issuer)}: give that CA's certificate instead (gleaner certificate URL offers it when the server sends it)`,
    );
  return { pem: certificate.toString(), fingerprint: certificate.fingerprint256 };
}

/** A certificate a server showed, unverified, for its user to check before trusting it. */
export interface PresentedCertificate extends TrustedCertificate {
  subject: string;
  issuer: string;
  /** The names it was made for, as `DNS:nas.lan, IP Address:192.168.1.5`; null for none. */
  names: string | null;
  validTo: string;
  /** The server's own certificate (self-signed), or the private CA's that signed it. */
  kind: 'self-signed' | 'ca';
}

/**
 * The certificate to trust of those a server showed (its own, then each issuer's, as Node reads
 * them): its own when it is self-signed, else the self-signed CA at the top of the chain it sent.
 * A USAGE error when it sent no self-signed one (its CA's must then be found elsewhere).
 */
export function certificateToTrust(shown: DetailedPeerCertificate, host: string): PresentedCertificate {
  const own = new X509Certificate(shown.raw);
  if (own.checkIssued(own)) return presented(own, 'self-signed');
  const seen = new Set<string>([own.fingerprint256]);
  for (let up = shown.issuerCertificate; up?.raw; up = up.issuerCertificate) {
    const cert = new X509Certificate(up.raw);
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    if (cert.checkIssued(cert)) return presented(cert, 'ca');
  }
  throw new GleanerError(
    'USAGE',
    `${host}'s certificate was signed by ${oneLine(own.issuer)}, whose own certificate it did not send: give that CA's certificate (from whoever runs it)`,
  );
}

function presented(cert: X509Certificate, kind: PresentedCertificate['kind']): PresentedCertificate {
  return {
    pem: cert.toString(),
    fingerprint: cert.fingerprint256,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    names: cert.subjectAltName ?? null,
    validTo: cert.validTo,
    kind,
  };
}

/** A distinguished name as X509Certificate writes it (a line a part), on one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** The fingerprint of a stored certificate (which parseTrustedCertificate checked). */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The certificates Node trusts besides its own: those of NODE_EXTRA_CA_CERTS, read as Node reads them. */
function extraCaCertificates(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [...readFileSync(file, 'utf8').matchAll(PEM_BLOCK)]
      .filter((m) => m[1] === 'CERTIFICATE')
      .map((m) => m[0]);
  } catch {
    return []; // Node warned about it at start-up, and trusts none of them either
  }
}

/**
 * TLS options that trust `pem` besides every certificate this process already trusts (giving a CA
 * list replaces Node's own, so both are given again); for a connection's options (undici's
 * `connect`, or a proxy's tunnelled `requestTls`).
 */
export function trustingTlsOptions(pem: string): ConnectionOptions {
  const trusted = new X509Certificate(pem);
  // Made once per certificate: a secure context with ~150 authorities takes milliseconds to build.
  const secureContext = createSecureContext({ ca: [...rootCertificates, ...extraCaCertificates(), pem] });
  const selfSigned = trusted.checkIssued(trusted);
  return {
    secureContext,
    checkServerIdentity: (host: string, peer: PeerCertificate) =>
      selfSigned && peer.fingerprint256 === trusted.fingerprint256
        ? undefined
        : checkServerIdentity(host, peer),
  };
}
