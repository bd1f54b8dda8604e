import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../client';
import { localRelayCertificateFiles } from './config-folder';

/**
 * The WebSocket the CLI connects with: `ws`, trusting also the local relay's own certificate (the
 * one `npm start --lan` made in this user's config folder) for the names it covers, so a link that
 * names `wss://192.168.1.5:3001` opens from this machine. Every other host is checked as usual.
 */
export function relayWebSocket(certFile: string = localRelayCertificateFiles().cert): WebSocketConstructor {
  const local = readCertificate(certFile);
  if (!local) return WebSocket as unknown as WebSocketConstructor;
  class LocalRelayTrustingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, coversHost(local!.x509, url) ? { ca: [local!.pem] } : {});
    }
  }
  return LocalRelayTrustingWebSocket as unknown as WebSocketConstructor;
}

function readCertificate(file: string): { pem: string; x509: X509Certificate } | undefined {
  try {
    const pem = readFileSync(file, 'utf8');
    return { pem, x509: new X509Certificate(pem) };
  } catch {
    return undefined;
  }
}

/** Whether `url` is a wss:// URL whose host the certificate names. */
function coversHost(x509: X509Certificate, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'wss:') return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return (isIP(host) ? x509.checkIP(host) : x509.checkHost(host)) !== undefined;
}
