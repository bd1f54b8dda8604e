import { randomBytes } from 'node:crypto';
import { parseIncomingFrame } from '../client/transport/wire-frames';
import { fromBase64 } from '../protocol/base64';
import { frameJson } from '../protocol/frame-json';

/**
 * `npm run bench:codec`: what one 128 KB Transfer frame costs to write, to read and its data to
 * decode, against the code before them run in the same process: JSON.stringify of the frame
 * (which frameJson replaced, in the clients and the relay), JSON.parse alone (what the client's
 * schema check adds to reading) and fromBase64's two regexes over the chunk (kept here as the
 * baseline).
 */

/** fromBase64 before the canonical fast path: strip the padding and check every character with regexes. */
function regexFromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error('invalid base64 length');
  if (!/^[A-Za-z0-9+/_-]*$/.test(clean)) throw new Error('invalid base64 character');
  const decoded = Buffer.from(clean, 'base64');
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

/** Microseconds per call of `work`, after a warm-up. */
function microseconds(label: string, work: () => unknown, calls = 2000): number {
  for (let i = 0; i < 200; i++) work();
  const startedAt = performance.now();
  for (let i = 0; i < calls; i++) work();
  const us = ((performance.now() - startedAt) / calls) * 1000;
  console.log(`${label.padEnd(46)} ${us.toFixed(0).padStart(5)} µs`);
  return us;
}

// A large chunk sealed (96,256 + 28 bytes), as a Node sender sends it.
const data = randomBytes(96_284).toString('base64');
const message = { connectionid: 'abcdEFGH12345678', data, chunkid: 5, chunktotal: 16, chunkhash: 'a'.repeat(43), fileid: 'f0' };
console.log(`One Transfer frame with ${data.length} base64 characters of data, Node ${process.version}:`);
const stringify = microseconds('JSON.stringify({ action, message }) (baseline)', () => JSON.stringify({ action: 'Transfer', message }));
const spliced = microseconds('frameJson(action, message)', () => frameJson('Transfer', message));
const text = frameJson('Transfer', message);
const parsed = microseconds('JSON.parse(frame) (baseline)', () => JSON.parse(text));
const checked = microseconds('parseIncomingFrame(frame)', () => parseIncomingFrame(text));
const regexes = microseconds('fromBase64 with two regexes (baseline)', () => regexFromBase64(data));
const canonical = microseconds('fromBase64', () => fromBase64(data));
console.log(
  `frameJson: ${(stringify / spliced).toFixed(1)}x the baseline's speed; parseIncomingFrame: ${(checked - parsed).toFixed(0)} µs over JSON.parse; fromBase64: ${(regexes / canonical).toFixed(1)}x`,
);
