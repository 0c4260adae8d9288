// Certificates made for a test with openssl (which `npm test` installs): a site's own self-signed
// one, or a private CA and a certificate it signs. P-256 keys, made in milliseconds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and its certificate, in PEM. */
export interface TestCertificate {
  key: string;
  cert: string;
}

/** Why tests that need openssl cannot run here, or false when they can. */
export function opensslSkipReason(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed (npm test installs it with scripts/system-deps.sh)';
  }
}

/**
 * A certificate for `subject` (a common name) valid for `names` (`DNS:feed.test`, `IP:127.0.0.1`;
 * none for a certificate that names no host): self-signed, or signed by `issuer`. `ca` makes a CA.
 */
export function makeCertificate(
  subject: string,
  names: string[],
  o: { issuer?: TestCertificate; ca?: boolean } = {},
): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    args.push('-days', '2', '-subj', `/CN=${subject}`, '-keyout', key, '-out', cert);
    if (names.length > 0) args.push('-addext', `subjectAltName=${names.join(',')}`);
    if (o.ca)
      args.push('-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign,cRLSign');
    else args.push('-addext', 'basicConstraints=CA:FALSE');
    if (o.issuer) {
      const issuerKey = join(dir, 'issuer-key.pem');
      const issuerCert = join(dir, 'issuer-cert.pem');
      writeFileSync(issuerKey, o.issuer.key);
      writeFileSync(issuerCert, o.issuer.cert);
      args.push('-CA', issuerCert, '-CAkey', issuerKey);
    }
    execFileSync('openssl', args, { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
