import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import selfsigned from 'selfsigned';
import { LocalRelayError } from './errors';

/** The certificate and key the local relay serves https:// and wss:// with. */
export interface RelayCertificate {
  /** PEM */
  readonly cert: string;
  /** PEM (PKCS#8) */
  readonly key: string;
  /** SHA-256 of the certificate, `AB:CD:…`: what a phone's "View certificate" shows. */
  readonly fingerprint256: string;
  /** The host names and addresses it is valid for. */
  readonly names: readonly string[];
  /** Whether this start made it. */
  readonly created: boolean;
}

/** How long a new certificate is valid: Apple's limit for a certificate a user trusts by hand. */
const VALID_DAYS = 825;
/** A certificate that expires sooner than this is replaced at the next start. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** Names kept across networks (a laptop that moves keeps its earlier addresses) before starting afresh. */
const MAX_NAMES = 24;

/**
 * The certificate kept in `files` when it is still valid for every one of `names`, else a new
 * self-signed one (EC P-256, SHA-256) for them and the names the old one had, written there (the
 * key readable by the user only). A phone shows a warning for it until the user accepts it once.
 */
export async function loadOrCreateRelayCertificate(
  files: { readonly cert: string; readonly key: string },
  names: readonly string[],
  now: Date = new Date(),
): Promise<RelayCertificate> {
  const wanted = [...new Set(names.map((name) => name.toLowerCase()))];
  const kept = readKept(files);
  if (kept && coversAll(kept.x509, wanted) && Date.parse(kept.x509.validTo) - now.getTime() > RENEW_BEFORE_MS) {
    return describe(kept.cert, kept.key, kept.x509, false);
  }
  const carried = kept ? namesOf(kept.x509).filter((name) => !wanted.includes(name)) : [];
  const all = [...wanted, ...carried].slice(0, MAX_NAMES);
  const made = await selfsigned.generate([{ name: 'commonName', value: 'Banguins local relay' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: all.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  try {
    mkdirSync(path.dirname(files.cert), { recursive: true, mode: 0o700 });
    writeAtomically(files.key, made.private, 0o600);
    writeAtomically(files.cert, made.cert, 0o644);
  } catch (error) {
    throw new LocalRelayError('CertificateFileFailed', `cannot keep the TLS certificate in ${path.dirname(files.cert)} (${(error as Error).message})`, { cause: error });
  }
  return describe(made.cert, made.private, new X509Certificate(made.cert), true);
}

function readKept(files: { readonly cert: string; readonly key: string }): { cert: string; key: string; x509: X509Certificate } | undefined {
  try {
    const cert = readFileSync(files.cert, 'utf8');
    const key = readFileSync(files.key, 'utf8');
    const x509 = new X509Certificate(cert);
    // A key that is not this certificate's (a half-written pair) counts as none.
    return x509.checkPrivateKey(createPrivateKey(key)) ? { cert, key, x509 } : undefined;
  } catch {
    return undefined;
  }
}

/** The DNS names and IP addresses in a certificate's subjectAltName, lower case. */
function namesOf(x509: X509Certificate): string[] {
  return (x509.subjectAltName ?? '')
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1]?.toLowerCase())
    .filter((name): name is string => name !== undefined);
}

function coversAll(x509: X509Certificate, names: readonly string[]): boolean {
  return names.every((name) => (isIP(name) ? x509.checkIP(name) !== undefined : x509.checkHost(name) !== undefined));
}

function describe(cert: string, key: string, x509: X509Certificate, created: boolean): RelayCertificate {
  return { cert, key, fingerprint256: x509.fingerprint256, names: namesOf(x509), created };
}

function writeAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, file);
}
