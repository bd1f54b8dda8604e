import fc from 'fast-check';
import WebSocket from 'ws';
import { fuzzFrameArb, type FuzzContext, type FuzzFrame } from './fuzz-frames';
import { expectedOutcome, mismatch, type Expected, type Received } from './fuzz-oracle';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly url: string;
  /** Frames to send in all. */
  readonly frames: number;
  readonly seed: number;
  /** Sending connections, each paired with a peer of its own. @default 12 */
  readonly lanes?: number;
  /** How long an answer may take, ms. @default 10000 */
  readonly answerTimeoutMs?: number;
  /** Called after every 1,000 frames. */
  readonly onProgress?: (sent: number) => void;
}

/** One frame that did not get the answer docs/protocol.md promises. */
export interface FuzzFailure {
  readonly category: string;
  readonly problem: string;
  /** The start of the frame (base64 for binary frames). */
  readonly frame: string;
  readonly expected: Expected;
  readonly received?: string;
}

/** The figures of a fuzz run. */
export interface FuzzReport {
  readonly sent: number;
  readonly byCategory: Record<string, number>;
  /** Milliseconds spent on each category's frames (send to answer), summed over the lanes. */
  readonly msByCategory: Record<string, number>;
  /** Frames the relay refused (Error frame or close expected). */
  readonly refused: number;
  /** Frames that got no answer where one was due. */
  readonly noAnswer: number;
  /** Frames that got the wrong answer, or answers nobody asked for. */
  readonly wrongAnswer: number;
  readonly failures: FuzzFailure[];
  readonly seconds: number;
}

const MAX_KEPT_FAILURES = 20;

/** A socket whose frames land in one inbox shared with its lane's other socket. */
class LaneSocket {
  readonly closed: Promise<number>;
  constructor(
    readonly ws: WebSocket,
    to: Received['to'],
    inbox: Inbox,
  ) {
    ws.on('message', (data: WebSocket.RawData, binary: boolean) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      inbox.push({ to, binary, text: buffer.toString(binary ? 'base64' : 'utf8') });
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.on('close', (code: number) => resolve(code)));
  }

  static open(url: string, to: Received['to'], inbox: Inbox): Promise<LaneSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const socket = new LaneSocket(ws, to, inbox);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  /** Sends a frame as one message, in `fragments` WebSocket frames. */
  async send(frame: FuzzFrame): Promise<void> {
    const size = Math.ceil(frame.payload.length / frame.fragments);
    for (let i = 0; i < frame.fragments; i += 1) {
      const part = frame.payload.subarray(i * size, (i + 1) * size);
      await new Promise<void>((resolve, reject) =>
        this.ws.send(part, { binary: frame.binary, fin: i === frame.fragments - 1, compress: false }, (error) => (error ? reject(error) : resolve())),
      );
    }
  }

  close(): Promise<number> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    return this.closed;
  }
}

/** Frames received by a lane's two sockets, in arrival order. */
class Inbox {
  private readonly queue: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  push(received: Received): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(received);
    } else {
      this.queue.push(received);
    }
  }

  next(timeoutMs: number): Promise<Received | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  drain(): Received[] {
    return this.queue.splice(0);
  }
}

async function expectFrame(inbox: Inbox, timeoutMs: number, check: (r: Received) => boolean, what: string): Promise<Received> {
  const r = await inbox.next(timeoutMs);
  if (!r || !check(r)) throw new Error(`fuzz setup: wanted ${what}, got ${r ? r.text.slice(0, 200) : 'nothing'}`);
  return r;
}

async function connectId(socket: LaneSocket, inbox: Inbox, qrhash?: string): Promise<string> {
  socket.ws.send(JSON.stringify({ action: 'Connect', ...(qrhash ? { message: { qrhash } } : {}) }));
  const r = await expectFrame(inbox, 5000, (x) => x.text.startsWith('{"action":"Connect"'), 'the Connect answer');
  return (JSON.parse(r.text) as { message: { connectionid: string } }).message.connectionid;
}

/** A sender and the peer it paired with (the peer only receives). */
interface Lane {
  readonly sender: LaneSocket;
  readonly peer: LaneSocket;
  readonly inbox: Inbox;
  readonly ctx: FuzzContext;
}

async function openLane(url: string, index: number, goneIds: readonly string[]): Promise<Lane> {
  const inbox = new Inbox();
  const sender = await LaneSocket.open(url, 'self', inbox);
  const peer = await LaneSocket.open(url, 'peer', inbox);
  const peerQrhash = `fuzz-qrhash-${index}`;
  const peerId = await connectId(peer, inbox, peerQrhash);
  const selfId = await connectId(sender, inbox);
  sender.ws.send(JSON.stringify({ action: 'Request', message: { connectionid: peerId, qrhash: peerQrhash } }));
  await expectFrame(inbox, 5000, (x) => x.to === 'peer' && x.text.includes('"Request"'), 'the forwarded Request');
  return { sender, peer, inbox, ctx: { selfId, peerId, peerQrhash, goneIds } };
}

/** Ids of connections that opened, said Connect, and closed. */
async function goneConnectionIds(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const inbox = new Inbox();
    const socket = await LaneSocket.open(url, 'self', inbox);
    ids.push(await connectId(socket, inbox));
    await socket.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // let $disconnect delete their records
  return ids;
}

/** A frame that closes its connection (over a limit, or binary), on a connection of its own: it must close with `expectedCode` and answer nothing. */
async function sendClosing(url: string, frame: FuzzFrame, expectedCode: number, timeoutMs: number): Promise<string | undefined> {
  const inbox = new Inbox();
  const socket = await LaneSocket.open(url, 'self', inbox);
  await socket.send(frame).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([socket.closed, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)))]);
  clearTimeout(timer);
  if (code === -1) {
    socket.ws.terminate();
    return 'the connection stayed open';
  }
  const extra = inbox.drain();
  if (code !== expectedCode) return `closed with ${code} instead of ${expectedCode}`;
  return extra.length > 0 ? `answered ${extra[0]!.text.slice(0, 80)}` : undefined;
}

function describe(frame: FuzzFrame): string {
  return frame.payload.toString(frame.binary ? 'base64' : 'utf8').slice(0, 300);
}

/**
 * Sends `frames` generated frames (fuzz-frames.ts) from `lanes` paired connections to the relay at
 * `url`, each lane one frame at a time, and checks every answer against docs/protocol.md (fuzz-oracle.ts).
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const laneCount = options.lanes ?? 12;
  const timeoutMs = options.answerTimeoutMs ?? 10_000;
  const goneIds = await goneConnectionIds(options.url, 3);
  const lanes = await Promise.all(Array.from({ length: laneCount }, (_, i) => openLane(options.url, i, goneIds)));
  const byCategory: Record<string, number> = {};
  const msByCategory: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let sent = 0;
  let refused = 0;
  let noAnswer = 0;
  let wrongAnswer = 0;
  const fail = (failure: FuzzFailure, kind: 'none' | 'wrong') => {
    if (kind === 'none') noAnswer += 1;
    else wrongAnswer += 1;
    if (failures.length < MAX_KEPT_FAILURES) failures.push(failure);
  };
  const started = Date.now();

  const checkFrame = async (lane: Lane, frame: FuzzFrame) => {
    const expected = expectedOutcome(frame, lane.ctx);
    byCategory[frame.category] = (byCategory[frame.category] ?? 0) + 1;
    sent += 1;
    if (sent % 1000 === 0) options.onProgress?.(sent);
    if (expected.kind === 'error' || expected.kind === 'close') refused += 1;
    if (expected.kind === 'close') {
      const problem = await sendClosing(options.url, frame, expected.code, timeoutMs);
      if (problem) fail({ category: frame.category, problem, frame: describe(frame), expected }, 'wrong');
      return;
    }
    await lane.sender.send(frame);
    if (expected.kind === 'none') return;
    const received = await lane.inbox.next(timeoutMs);
    if (!received) {
      fail({ category: frame.category, problem: 'no answer', frame: describe(frame), expected }, 'none');
      return;
    }
    const problem = mismatch(expected, received);
    if (problem) fail({ category: frame.category, problem, frame: describe(frame), expected, received: received.text.slice(0, 300) }, 'wrong');
  };

  const runLane = async (lane: Lane, laneIndex: number, count: number) => {
    const arb = fuzzFrameArb(lane.ctx);
    const batch = 200;
    for (let done = 0; done < count; done += batch) {
      const frames = fc.sample(arb, { numRuns: Math.min(batch, count - done), seed: options.seed * 1_000_003 + laneIndex * 10_007 + done });
      for (const frame of frames) {
        const frameStarted = Date.now();
        await checkFrame(lane, frame);
        msByCategory[frame.category] = (msByCategory[frame.category] ?? 0) + Date.now() - frameStarted;
      }
    }
  };

  const share = Math.floor(options.frames / laneCount);
  await Promise.all(lanes.map((lane, i) => runLane(lane, i, i === 0 ? options.frames - share * (laneCount - 1) : share)));
  const seconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const lane of lanes) {
    for (const stray of lane.inbox.drain()) {
      fail({ category: 'stray', problem: 'an answer nobody asked for', frame: '', expected: { kind: 'none' }, received: stray.text.slice(0, 300) }, 'wrong');
    }
  }
  await Promise.all(lanes.flatMap((lane) => [lane.sender.close(), lane.peer.close()]));
  return { sent, byCategory, msByCategory, refused, noAnswer, wrongAnswer, failures, seconds };
}
