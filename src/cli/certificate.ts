// `gleaner certificate URL [--pem]`: the certificate an https server of one's own shows, to check
// and then trust for its feed (gleaner add/edit --trust-certificate).
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { normalizeInputUrl } from '../subscribe/index.js';
import { COMMON_FLAGS, openContext } from './context.js';

const HELP = `usage: gleaner certificate URL [--pem]

Shows the certificate the https server at URL presents, without trusting it: the server's own when
it is self-signed, else its private CA's, when the server sends it. Check its SHA-256 fingerprint
against the one the server itself shows (openssl x509 -noout -fingerprint -sha256 -in cert.pem,
on the server), then trust it for the feed:
  gleaner certificate URL --pem > server.pem
  gleaner add URL --trust-certificate server.pem
  --pem   print the certificate alone, in PEM form`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON_FLAGS, pem: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [target] = positionals;
  if (!target || positionals.length > 1) throw new GleanerError('USAGE', `give one https URL\n\n${HELP}`);
  const ctx = await openContext(values);
  try {
    const shown = await ctx.fetcher.presentedCertificate(normalizeInputUrl(target));
    if (values.pem) {
      process.stdout.write(shown.pem);
      return 0;
    }
    const whose = shown.kind === 'self-signed' ? 'its own, self-signed' : `its CA's (${shown.subject})`;
    console.log(
      [
        `${target} shows a certificate that is not trusted here; the one to trust is ${whose}:`,
        `  subject   ${shown.subject}`,
        `  issuer    ${shown.issuer}`,
        `  names     ${shown.names ?? '(none)'}`,
        `  valid to  ${shown.validTo}`,
        `  SHA-256   ${shown.fingerprint}`,
        'Check the fingerprint against the one the server itself shows, then:',
        `  gleaner certificate ${target} --pem > server.pem`,
        `  gleaner add ${target} --trust-certificate server.pem`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
