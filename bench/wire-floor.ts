import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import WebSocket, { WebSocketServer } from 'ws';
import { forEachLine, spawnBenchScript, startRelayChild, waitForLine } from './child-processes';
import { CpuWatch, type ProcessUsage } from './process-cpu';
import { LARGE_CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from '../protocol/limits';

/**
 * The floor of this wire: the least work three processes must do to move a file as our protocol
 * does through a relay like API Gateway, with none of our code's other work. The sender reads each
 * 96 KB chunk, hashes it into the file's SHA-256 (our manifest carries it; here in the same pass,
 * sent at the end, not in a pass of its own as `banguins send` does), seals it with AES-256-GCM,
 * hashes the sealed chunk (`chunkhash`), writes it as base64 in a JSON Transfer frame and sends it
 * as 32 KB text frames; the relay (a bare `ws` server, UTF-8 checked as API Gateway does) forwards
 * each message whole to the other socket, reading nothing of it; the receiver finds `data` and
 * `chunkhash` by search, decodes into a reused buffer, checks the hash, opens the chunk, hashes it
 * into the file's SHA-256 and writes it, and checks the file's SHA-256 at the end. A window of 32
 * messages, acknowledged every 8. No pairing, no validation, no Lambda-shaped dispatch, no
 * congestion control: what our relay path costs beyond this is overhead; what this costs is the
 * wire's own price, to set against magic-wormhole's.
 */

/** What one transfer at the floor took. */
export interface WireFloorRun {
  /** From the sender's first chunk to the receiver's last. */
  readonly seconds: number;
  readonly cpu: { readonly sender: ProcessUsage; readonly relay: ProcessUsage; readonly receiver: ProcessUsage };
  /** The file's SHA-256 as the receiver computed it over what it wrote, hex. */
  readonly receivedSha256: string;
}

const WINDOW_MESSAGES = 32;
const ACK_EVERY_MESSAGES = 8;

/** Sends `file` through a floor relay into `outFile`; every process is a child of its own. */
export async function runWireFloor(file: string, outFile: string): Promise<WireFloorRun> {
  const key = randomBytes(32).toString('hex');
  const envOf = (role: string, extra: Record<string, string> = {}) => ({ ...process.env, FLOOR_ROLE: role, FLOOR_KEY: key, ...extra });
  /** Starts the sender or the receiver; resolves once it is connected and ready. */
  const startPeer = async (role: 'send' | 'receive', extra: Record<string, string>) => {
    const child = spawnBenchScript('wire-floor.ts', { env: envOf(role, extra) });
    const lines: string[] = [];
    forEachLine(child.stdout!, (line) => lines.push(line));
    await waitForLine(child, lines, 'READY');
    return { child, lines };
  };
  const relay = await startRelayChild('wire-floor.ts', { env: envOf('relay') });
  try {
    const receiver = await startPeer('receive', { FLOOR_URL: relay.url, FLOOR_OUT: outFile });
    const sender = await startPeer('send', { FLOOR_URL: relay.url, FLOOR_FILE: file });
    const watches = { sender: new CpuWatch(sender.child.pid!), relay: new CpuWatch(relay.child.pid!), receiver: new CpuWatch(receiver.child.pid!) };
    for (const watch of Object.values(watches)) watch.mark();
    const startedAt = Date.now();
    sender.child.kill('SIGUSR2');
    const done = await waitForLine(receiver.child, receiver.lines, 'DONE ');
    const seconds = (Date.now() - startedAt) / 1000;
    const cpu = { sender: watches.sender.sinceMark(), relay: watches.relay.sinceMark(), receiver: watches.receiver.sinceMark() };
    return { seconds, cpu, receivedSha256: done.slice(5) };
  } finally {
    relay.child.kill();
  }
}

/** The relay: the first socket to connect is the receiver, the second the sender; each message goes whole to the other. */
function floorRelay(): void {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: MAX_MESSAGE_BYTES });
  const sockets: WebSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data: Buffer, isBinary) => {
      const other = sockets[sockets.indexOf(socket) ^ 1];
      other?.send(data, { binary: isBinary });
    });
  });
  server.on('listening', () => process.stdout.write(`READY ws://127.0.0.1:${(server.address() as { port: number }).port}\n`));
}

/** The sender: waits for SIGUSR2, then sends the file within the window. */
function floorSender(url: string, file: string, key: Buffer): void {
  const socket = new WebSocket(url);
  const fd = openSync(file, 'r');
  let chunkid = 0;
  let acked = 0;
  let finished = false;
  const fileHash = createHash('sha256');
  // Buffers reused for every chunk (ws copies what it masks, so the frame can be written again at once).
  const plain = Buffer.allocUnsafe(LARGE_CHUNK_PLAINTEXT_BYTES);
  const sealed = Buffer.allocUnsafe(12 + LARGE_CHUNK_PLAINTEXT_BYTES + 16);
  const frame = Buffer.allocUnsafe(MAX_MESSAGE_BYTES);
  const prefixEnd = frame.write('{"action":"Transfer","message":{"connectionid":"peer","data":"', 0, 'latin1');
  const sendSome = () => {
    while (!finished && chunkid - acked < WINDOW_MESSAGES) {
      const read = readSync(fd, plain, 0, plain.length, null);
      if (read === 0) {
        finished = true;
        socket.send(`{"action":"sendmessage","end":true,"sha256":"${fileHash.digest('base64url')}"}`);
        break;
      }
      fileHash.update(plain.subarray(0, read));
      sealed.fill(0, 0, 12);
      sealed.writeUInt32BE(chunkid, 8);
      const nonce = sealed.subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(nonce);
      sealed.set(cipher.update(plain.subarray(0, read)), 12);
      cipher.final();
      sealed.set(cipher.getAuthTag(), 12 + read);
      const chunk = sealed.subarray(0, 12 + read + 16);
      const chunkhash = createHash('sha256').update(chunk).digest('base64url');
      let length = prefixEnd + frame.write(chunk.toString('base64'), prefixEnd, 'latin1');
      length += frame.write(`","chunkid":${chunkid},"chunktotal":0,"chunkhash":"${chunkhash}"}}`, length, 'latin1');
      for (let offset = 0; offset < length; offset += MAX_FRAME_BYTES) {
        const end = Math.min(length, offset + MAX_FRAME_BYTES);
        socket.send(frame.subarray(offset, end), { binary: false, fin: end === length, compress: false });
      }
      chunkid++;
    }
  };
  socket.on('message', (data: Buffer) => {
    acked = Number(/"chunkid":(\d+)/.exec(data.toString())![1]);
    sendSome();
  });
  socket.on('open', () => {
    process.once('SIGUSR2', sendSome);
    process.stdout.write('READY\n');
  });
}

/** The receiver: checks, opens and writes every chunk in order; prints the file's SHA-256 at the end. */
function floorReceiver(url: string, outFile: string, key: Buffer): void {
  const socket = new WebSocket(url);
  const fd = openSync(outFile, 'w');
  const fileHash = createHash('sha256');
  let received = 0;
  const DATA = Buffer.from('"data":"');
  const CHUNKHASH = Buffer.from('"chunkhash":"');
  const sealedScratch = Buffer.allocUnsafe(MAX_MESSAGE_BYTES);
  socket.on('message', (message: Buffer) => {
    const dataAt = message.indexOf(DATA);
    if (dataAt < 0) {
      closeSync(fd);
      const digest = fileHash.digest();
      const { sha256 } = JSON.parse(message.toString()) as { sha256: string };
      if (sha256 !== digest.toString('base64url')) throw new Error("the file's SHA-256 differs from the sender's");
      process.stdout.write(`DONE ${digest.toString('hex')}\n`);
      process.exit(0);
    }
    const dataEnd = message.indexOf(0x22, dataAt + DATA.length);
    const sealed = sealedScratch.subarray(0, sealedScratch.write(message.toString('latin1', dataAt + DATA.length, dataEnd), 'base64'));
    const hashAt = message.indexOf(CHUNKHASH, dataEnd) + CHUNKHASH.length;
    const chunkhash = message.toString('latin1', hashAt, message.indexOf(0x22, hashAt));
    if (createHash('sha256').update(sealed).digest('base64url') !== chunkhash) throw new Error(`chunk ${received}: chunkhash differs`);
    const nonce = sealed.subarray(0, 12);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = decipher.update(sealed.subarray(12, sealed.length - 16));
    decipher.final();
    fileHash.update(plain);
    writeSync(fd, plain);
    received++;
    if (received % ACK_EVERY_MESSAGES === 0) socket.send(`{"action":"Acknowledge","message":{"connectionid":"peer","chunkid":${received}}}`);
  });
  socket.on('open', () => process.stdout.write('READY\n'));
}

if (require.main === module) {
  const key = Buffer.from(process.env.FLOOR_KEY ?? '', 'hex');
  const role = process.env.FLOOR_ROLE;
  if (role === 'relay') floorRelay();
  else if (role === 'send') floorSender(process.env.FLOOR_URL!, process.env.FLOOR_FILE!, key);
  else if (role === 'receive') floorReceiver(process.env.FLOOR_URL!, process.env.FLOOR_OUT!, key);
  else throw new Error(`FLOOR_ROLE must be relay, send or receive, not ${role}`);
}
