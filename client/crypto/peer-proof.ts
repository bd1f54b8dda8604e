import { fromBase64, toBase64Url } from '../../protocol/base64';
import { subtle } from './crypto-port';

const encoder = new TextEncoder();

/**
 * The key only the two paired sides hold: HMAC-SHA-256 keyed with both session ids. Each side sends
 * its session id once, sealed, to a connection proven to be the peer (the receiver to the link's
 * sender; the sender to whoever showed the receiver's id), never in a hello the relay may deliver to
 * another holder of the link, so someone who saw the link cannot learn both.
 */
export function derivePairKey(receiverSession: string, senderSession: string): Promise<CryptoKey> {
  return subtle().importKey(
    'raw',
    encoder.encode(`banguins-v1 pair ${receiverSession} ${senderSession}`) as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

function proofInput(role: 'sender' | 'receiver', connectionId: string): Uint8Array {
  return encoder.encode(`banguins-v1 hello ${role} ${connectionId}`);
}

/**
 * A hello's proof: the pair key's HMAC of the role and the connection id the hello is sent from. The
 * relay stamps every forwarded Request with its sender's connection id, so a proof copied into a
 * hello from another connection does not verify.
 */
export async function helloProof(pairKey: CryptoKey, role: 'sender' | 'receiver', connectionId: string): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().sign('HMAC', pairKey, proofInput(role, connectionId) as BufferSource)));
}

/** Whether `proof` is the pair key's proof of a hello by `role` from `connectionId` (checked in constant time). */
export async function checkHelloProof(pairKey: CryptoKey, role: 'sender' | 'receiver', connectionId: string, proof: string): Promise<boolean> {
  let mac: Uint8Array;
  try {
    mac = fromBase64(proof);
  } catch {
    return false;
  }
  return subtle().verify('HMAC', pairKey, mac as BufferSource, proofInput(role, connectionId) as BufferSource);
}
