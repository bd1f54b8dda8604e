import fc from 'fast-check';
import { CongestionControl, MIN_PACING_PER_SECOND } from '../client/congestion/congestion-control';
import { LossDetector } from '../client/congestion/loss-detector';
import { CHUNK_PLAINTEXT_BYTES, LARGE_CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import { reactToRelayError } from '../client/transport/relay-error-codes';
import { RoundTripEstimator } from '../client/congestion/round-trip-estimator';
import { SendPacer } from '../client/congestion/send-pacer';
import { defaultPacingRate, resolveTuning } from '../client/tuning';
import { parseIncomingFrame } from '../client/transport/wire-frames';
import { FaultInjector, throttledFrame, type InboundFrame } from '../local/fault-injection';

describe('RoundTripEstimator (RFC 6298)', () => {
  const bounds = { initialRtoMs: 1000, minRtoMs: 200, maxRtoMs: 60_000 };

  test('starts at the initial timeout, then SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR', () => {
    const rtt = new RoundTripEstimator(bounds);
    expect(rtt.rtoMs).toBe(1000);
    rtt.sample(100);
    expect(rtt.estimateMs).toBe(100);
    expect(rtt.variationMs).toBe(50);
    expect(rtt.rtoMs).toBe(300);
  });

  test('smooths later samples with gains 1/8 and 1/4', () => {
    const rtt = new RoundTripEstimator(bounds);
    rtt.sample(100);
    rtt.sample(200);
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
    expect(rtt.variationMs).toBeCloseTo(62.5);
    expect(rtt.estimateMs).toBeCloseTo(112.5);
    expect(rtt.rtoMs).toBeCloseTo(362.5);
  });

  test('keeps the timeout at the floor for a fast, steady path, with no 1 s cap for a slow one', () => {
    const fast = new RoundTripEstimator(bounds);
    for (let i = 0; i < 50; i++) fast.sample(5);
    expect(fast.rtoMs).toBe(200);
    const slow = new RoundTripEstimator(bounds);
    for (let i = 0; i < 50; i++) slow.sample(4000);
    expect(slow.rtoMs).toBeGreaterThan(4000);
  });

  test('doubles on every timeout up to the ceiling, and resets on new data', () => {
    const rtt = new RoundTripEstimator(bounds);
    rtt.sample(100);
    rtt.backOff();
    expect(rtt.rtoMs).toBe(600);
    rtt.backOff();
    expect(rtt.rtoMs).toBe(1200);
    for (let i = 0; i < 20; i++) rtt.backOff();
    expect(rtt.rtoMs).toBe(60_000);
    rtt.resetBackoff();
    expect(rtt.rtoMs).toBe(300);
  });

  test('once the first exchange timed out, waits 3 s (RFC 6298 5.7) until the first sample', () => {
    const rtt = new RoundTripEstimator(bounds);
    rtt.backOff();
    expect(rtt.rtoMs).toBe(2000);
    rtt.resetBackoff();
    expect(rtt.rtoMs).toBe(3000);
    rtt.sample(100);
    expect(rtt.rtoMs).toBe(300);
  });

  test('a chunk with nothing after it received counts as lost at the timeout, backoff included: the initial one before any sample', () => {
    const rtt = new RoundTripEstimator(bounds);
    // Before any sample, not the 200 ms floor: a first exchange on a busy relay may take a second
    expect(rtt.tailLossAgeMs).toBe(1000);
    rtt.backOff();
    // ...doubled by a timeout, but without the timer's 3 s of RFC 6298 5.7
    expect(rtt.tailLossAgeMs).toBe(2000);
    rtt.sample(100);
    expect(rtt.tailLossAgeMs).toBe(600);
    rtt.resetBackoff();
    expect(rtt.tailLossAgeMs).toBe(300);
    expect(rtt.lossAgeMs).toBe(200);
    rtt.backOff();
    expect(rtt.rtoMs).toBe(600);
    expect(rtt.tailLossAgeMs).toBe(600);
  });

  test('the timeout stays within its bounds whatever the samples', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.nat(30), (samples, backoffs) => {
        const rtt = new RoundTripEstimator(bounds);
        for (const s of samples) rtt.sample(s);
        for (let i = 0; i < backoffs; i++) rtt.backOff();
        expect(rtt.rtoMs).toBeGreaterThanOrEqual(200);
        expect(rtt.rtoMs).toBeLessThanOrEqual(60_000);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CongestionControl', () => {
  const tuning = resolveTuning({ windowChunks: 64, initialWindowChunks: 8, minWindowChunks: 2, pacingPerSecond: 300 });

  test('slow start doubles the window each round trip, then grows by one chunk per window', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    expect(cc.windowChunks).toBe(8);
    cc.onAcked(8);
    expect(cc.windowChunks).toBe(16);
    cc.onAcked(16);
    expect(cc.windowChunks).toBe(32);
    cc.rtt.sample(100);
    cc.onLoss(1000);
    expect(cc.windowChunks).toBe(16);
    expect(cc.slowStartThreshold).toBe(16);
    cc.onAcked(16);
    expect(cc.windowChunks).toBe(17);
  });

  test('the initial window is the same bytes whatever the chunk size: 8 browser chunks, 2 chunks of 96 KB', () => {
    expect(new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0).windowChunks).toBe(8);
    expect(new CongestionControl(tuning, LARGE_CHUNK_PLAINTEXT_BYTES, 0).windowChunks).toBe(2);
    expect(new CongestionControl(tuning, 2 * CHUNK_PLAINTEXT_BYTES, 0).windowChunks).toBe(4);
  });

  test('halves at most once per round trip, never below the minimum nor above the receiver window', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.rtt.sample(100);
    cc.onAcked(1000);
    expect(cc.windowChunks).toBe(64);
    cc.onLoss(1000);
    cc.onLoss(1050);
    expect(cc.windowChunks).toBe(32);
    cc.onLoss(1200);
    expect(cc.windowChunks).toBe(16);
    for (let t = 2000; t < 10_000; t += 200) cc.onLoss(t);
    expect(cc.windowChunks).toBe(2);
    expect(cc.stats.losses).toBeGreaterThan(3);
  });

  test('a throttling signal halves the window and the pacing rate, which then recovers to the maximum', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.rtt.sample(100);
    cc.onAcked(24);
    expect(cc.pacer.ratePerSecond).toBe(300);
    cc.onCongestionSignal(1000);
    expect(cc.windowChunks).toBe(16);
    expect(cc.pacer.ratePerSecond).toBe(150);
    expect(cc.stats.signals).toBe(1);
    for (let i = 0; i < 2000 && cc.pacer.ratePerSecond < 300; i++) cc.onAcked(1);
    expect(cc.pacer.ratePerSecond).toBe(300);
  });

  test('round trips that grow past the queueing-delay target halve the window (a delay signal); steady ones do not', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.onAcked(1000);
    expect(cc.windowChunks).toBe(64);
    // GIVEN a path whose round trip is 20 ms and stays so: no delay signal however many samples
    for (let t = 0; t < 5000; t += 20) cc.onRoundTrip(20 + (t % 3), t);
    expect(cc.windowChunks).toBe(64);
    expect(cc.stats.delays).toBe(0);
    // WHEN the chunks start to queue (round trips of 300 ms: 280 ms above the smallest, over max(50, 20))
    let t = 5000;
    for (; t < 8000 && cc.windowChunks > 2; t += 50) cc.onRoundTrip(300, t);
    // THEN the window halved, once per round trip, down to the minimum, and each cut was counted
    expect(cc.windowChunks).toBe(2);
    expect(cc.stats.delays).toBe(5);
    expect(cc.stats.losses).toBe(0);
  });

  test('the delay target is fixed: a session whose smallest round trip already held a queue still reacts to 60 ms more', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.onAcked(1000);
    // GIVEN a session that started on a busy relay: its smallest round trip is 1 s
    for (let t = 0; t < 2000; t += 100) cc.onRoundTrip(1000, t);
    expect(cc.windowChunks).toBe(64);
    // WHEN the round trips stand 60 ms higher (above the 50 ms target, far below "double the minimum")
    for (let t = 2000; t < 20_000; t += 100) cc.onRoundTrip(1060, t);
    // THEN the window shrinks
    expect(cc.stats.delays).toBeGreaterThan(0);
    expect(cc.windowChunks).toBeLessThan(64);
  });

  test('at the smallest window, a delay signal halves the pacing rate instead, below one window per round trip', () => {
    const cc = new CongestionControl(resolveTuning({ ...tuning, minWindowChunks: 1, pacingPerSecond: Infinity }), CHUNK_PLAINTEXT_BYTES, 0);
    cc.onRoundTrip(20, 0);
    for (let t = 100; t < 1500 && cc.windowChunks > 1; t += 100) cc.onRoundTrip(400, t);
    expect(cc.windowChunks).toBe(1);
    expect(cc.pacer.ratePerSecond).toBe(Infinity);
    // GIVEN the window is one chunk and the round trip still stands ~400 ms above the smallest
    let t = 2000;
    cc.onRoundTrip(400, t);
    // THEN the rate is half of one chunk per smoothed round trip
    const srtt = cc.rtt.estimateMs!;
    expect(cc.pacer.ratePerSecond).toBeCloseTo(1000 / srtt / 2, 5);
    // AND further signals (one per round trip) halve it again, down to the floor
    for (t += 1000; t < 60_000; t += 1000) cc.onRoundTrip(400, t);
    expect(cc.pacer.ratePerSecond).toBe(MIN_PACING_PER_SECOND);
    expect(cc.windowChunks).toBe(1);
  });

  test('a queueing-delay target of Infinity never shrinks the window on delay', () => {
    const cc = new CongestionControl(resolveTuning({ ...tuning, queueDelayTargetMs: Infinity }), CHUNK_PLAINTEXT_BYTES, 0);
    cc.onAcked(1000);
    for (let t = 0; t < 100; t += 10) cc.onRoundTrip(20, t);
    for (let t = 100; t < 5000; t += 50) cc.onRoundTrip(2000, t);
    expect(cc.windowChunks).toBe(64);
    expect(cc.stats.delays).toBe(0);
  });

  test('a timeout restarts from the minimum window and backs off the timeout', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.rtt.sample(100);
    const before = cc.rtt.rtoMs;
    cc.onTimeout(500);
    expect(cc.windowChunks).toBe(2);
    expect(cc.rtt.rtoMs).toBe(2 * before);
    expect(cc.stats.timeouts).toBe(1);
  });

  test("Karn's algorithm: an ack of resent chunks keeps the backed-off timeout, a round-trip sample ends it", () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.onRoundTrip(100, 0);
    const base = cc.rtt.rtoMs;
    cc.onTimeout(1000);
    cc.onTimeout(2000);
    expect(cc.rtt.rtoMs).toBe(4 * base);
    // GIVEN the resent chunks are acknowledged (no sample: they were sent twice)
    cc.onAcked(3);
    // THEN the timeout stays backed off: the round trips that gave the estimate were the lucky ones
    expect(cc.rtt.rtoMs).toBe(4 * base);
    // AND a chunk sent once brings it back to the estimate
    cc.onRoundTrip(100, 3000);
    expect(cc.rtt.backoffCount).toBe(0);
    expect(cc.rtt.rtoMs).toBeLessThan(2 * base);
  });

  test('pacing never drops below its floor however many signals come', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    cc.rtt.sample(50);
    for (let t = 0; t < 100_000; t += 100) cc.onCongestionSignal(t);
    expect(cc.pacer.ratePerSecond).toBe(MIN_PACING_PER_SECOND);
    expect(cc.windowChunks).toBe(2);
  });
});

describe('SendPacer', () => {
  test('lets a burst go, then one message per 1/rate seconds', () => {
    const pacer = new SendPacer(200, 2, 0);
    expect(pacer.delayMs(0)).toBe(0);
    pacer.spend(0);
    pacer.spend(0);
    expect(pacer.delayMs(0)).toBe(5);
    expect(pacer.delayMs(5)).toBe(0);
  });

  test('Infinity never waits', () => {
    const pacer = new SendPacer(Infinity, 1, 0);
    for (let i = 0; i < 1000; i++) pacer.spend(0);
    expect(pacer.delayMs(0)).toBe(0);
  });

  test('the default pacing is off for a relay on this machine and on for a remote one', () => {
    expect(defaultPacingRate('ws://127.0.0.1:3001')).toBe(Infinity);
    expect(defaultPacingRate('ws://localhost:3001')).toBe(Infinity);
    expect(defaultPacingRate('ws://[::1]:3001')).toBe(Infinity);
    expect(defaultPacingRate('wss://abc.execute-api.eu-west-1.amazonaws.com/dev')).toBeLessThan(1000);
    expect(resolveTuning({}, 'wss://x.example/dev').pacingPerSecond).toBe(defaultPacingRate('wss://x.example/dev'));
    expect(() => resolveTuning({ pacingPerSecond: 0 })).toThrow(/pacingPerSecond/);
  });
});

describe('congestion signals on the wire', () => {
  test("API Gateway's throttling frame parses as Throttled, with its ids", () => {
    const text = '{"message": "Limit Exceeded", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"Rq1="}';
    expect(parseIncomingFrame(text)).toEqual({ action: 'Throttled', message: { reason: 'throttled', connectionId: 'L0SM9cOFvHcCIhw=', requestId: 'Rq1=' } });
    // Its other dropped-frame answer counts too (test/gateway-internal-error.test.ts); other texts do not.
    expect(parseIncomingFrame('{"message": "Internal server error", "connectionId":"a", "requestId":"b"}')?.action).toBe('Throttled');
    expect(parseIncomingFrame('{"message": "Forbidden", "connectionId":"a", "requestId":"b"}')).toBeUndefined();
  });

  test("the local relay's throttling fault sends that very frame and drops the Transfer", () => {
    const injector = new FaultInjector({ drop: 0, duplicate: 0, reorder: 0, throttle: 1 });
    const delivered: InboundFrame[] = [];
    const replies: string[] = [];
    const transfer = { data: '{"action":"Transfer","message":{"connectionid":"B","data":"AA==","chunkid":0,"chunktotal":1,"chunkhash":"h"}}' };
    injector.handle('Conn1=', transfer, (frame) => delivered.push(frame), (text) => replies.push(text));
    expect(delivered).toEqual([]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^\{"message": "Limit Exceeded", "connectionId":"Conn1=", "requestId":"[A-Za-z0-9+/]{15}="\}$/);
    expect(parseIncomingFrame(replies[0]!)?.action).toBe('Throttled');
    expect(throttledFrame('a', 'b')).toBe('{"message": "Limit Exceeded", "connectionId":"a", "requestId":"b"}');
    expect(() => new FaultInjector({ drop: 0.5, duplicate: 0, reorder: 0, throttle: 0.6 })).toThrow(/at most 1/);
  });

  test('PeerBusy about the current peer is congestion, not a fatal error; about an old connection it is ignored', () => {
    expect(reactToRelayError({ code: 'PeerBusy', reason: 'slow', request: 'Transfer', connectionid: 'B=' }, 'B=')).toBe('congestion');
    expect(reactToRelayError({ code: 'PeerBusy', reason: 'slow', request: 'Acknowledge', connectionid: 'A=' }, 'A=')).toBe('congestion');
    expect(reactToRelayError({ code: 'PeerBusy', reason: 'slow', request: 'Transfer', connectionid: 'OldB=' }, 'B=')).toBe('ignore');
  });
});

describe('LossDetector round-trip samples', () => {
  const tuning = resolveTuning({ windowChunks: 64, initialWindowChunks: 8, minWindowChunks: 2, pacingPerSecond: 300 });

  test('an ack that moves the prefix past a repaired hole gives no round-trip sample (the chunks behind the hole waited for the repair, not in a queue)', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    const losses = new LossDetector(cc, tuning.minRtoMs);
    // Chunks 0-9 go at t=0..9 ms; chunk 0 is acked after a 20 ms round trip: the estimate is 20 ms.
    for (let id = 0; id < 10; id++) losses.onSent(id, id);
    losses.onPrefixAcked(-1, 0, true, 20);
    expect(cc.rtt.estimateMs).toBe(20);
    // Chunk 1 was lost and is resent at 3,000 ms; its ack at 3,020 moves the prefix to 9 (sent at 9 ms).
    losses.onSending(1);
    losses.onSent(1, 3000);
    losses.onPrefixAcked(0, 9, false, 3020);
    // Chunk 9's "round trip" of 3,011 ms is the repair's time: not a sample, the estimate stays.
    expect(cc.rtt.estimateMs).toBe(20);
  });

  test('an ack that moves the prefix over chunks each sent once gives a sample', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    const losses = new LossDetector(cc, tuning.minRtoMs);
    for (let id = 0; id < 4; id++) losses.onSent(id, 0);
    losses.onPrefixAcked(-1, 3, false, 40);
    expect(cc.rtt.estimateMs).toBe(40);
  });
});

describe('LossDetector: losses the receiver reported once', () => {
  const tuning = resolveTuning({ windowChunks: 64, initialWindowChunks: 8, minWindowChunks: 2, pacingPerSecond: 300 });

  /** A detector whose round trip is 20 ms (loss age 20 + 5 ms), chunks 0-9 sent at t=100..109 ms. */
  function detector(): { cc: CongestionControl; losses: LossDetector } {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    for (let i = 0; i < 5; i++) cc.rtt.sample(20);
    const losses = new LossDetector(cc, tuning.minRtoMs);
    for (let id = 0; id < 10; id++) losses.onSent(id, 100 + id);
    return { cc, losses };
  }

  test('a chunk reported missing too young to call lost goes again once old enough, with no second report (RACK\'s timer)', () => {
    const { cc, losses } = detector();
    const position = { ackedThrough: -1, nextNew: 10 };
    // At 115 ms the receiver holds chunk 5 but lacks chunk 3 (sent at 103: 12 ms old, under the loss age).
    losses.onMissing([3], position, 115);
    expect(losses.nextResend(position, 115)).toBeUndefined();
    const wait = losses.idleWaitMs(115);
    expect(wait).toBeLessThanOrEqual(103 + cc.rtt.lossAgeMs - 115);
    expect(losses.nextResend(position, 103 + cc.rtt.lossAgeMs)).toBe(3);
    expect(cc.stats.losses).toBe(1);
  });

  test('a chunk acknowledged or sent again meanwhile is not called lost', () => {
    const { losses } = detector();
    const position = { ackedThrough: -1, nextNew: 10 };
    losses.onMissing([3, 4], position, 110);
    losses.onPrefixAcked(-1, 3, true, 111);
    losses.onSending(4);
    losses.onSent(4, 112);
    // At 140 ms both would be old enough (and the tail loss probe not yet due: 40 ms after the ack at 111).
    expect(losses.nextResend({ ackedThrough: 3, nextNew: 10 }, 140)).toBeUndefined();
  });

  test('a resend lost too goes again one round trip after the receiver holds a chunk sent after it, not a timeout later', () => {
    const { cc, losses } = detector();
    // Chunk 3 was lost and resent at 200 ms; chunks 10-19 went after it, at 201..210 ms.
    losses.onSending(3);
    losses.onSent(3, 200);
    for (let id = 10; id < 20; id++) losses.onSent(id, 191 + id);
    const position = { ackedThrough: 2, nextNew: 20 };
    // At 240 ms the receiver still lacks 3 but holds 19 (sent at 210, after the resend).
    losses.onMissing([3], position, 240);
    expect(240 - 200).toBeLessThan(cc.rtt.rtoMs);
    expect(losses.nextResend(position, 240)).toBe(3);
  });

  test('a resend the receiver holds nothing newer than is not called lost (it may still be on its way); the tail loss probe sends it once, two round trips on', () => {
    const { cc, losses } = detector();
    losses.onPrefixAcked(-1, 2, true, 130);
    losses.onSending(3);
    losses.onSent(3, 200);
    const position = { ackedThrough: 2, nextNew: 10 };
    // The receiver holds 9 (sent at 109, before the resend): the resend's fate is unknown.
    losses.onMissing([3], position, 235);
    expect(losses.nextResend(position, 235)).toBeUndefined();
    // Two round trips (about 45 ms) after the resend with the prefix still at 2: the probe, without a timeout.
    expect(losses.nextResend(position, 250)).toBe(3);
    losses.onSending(3);
    losses.onSent(3, 250);
    expect(losses.nextResend(position, 300)).toBeUndefined();
    expect(cc.stats.timeouts).toBe(0);
  });
});

describe('LossDetector: the frame a congestion signal dropped', () => {
  const tuning = resolveTuning({ windowChunks: 64, initialWindowChunks: 8, minWindowChunks: 2, pacingPerSecond: 300 });

  function detector(): { cc: CongestionControl; losses: LossDetector } {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    for (let i = 0; i < 5; i++) cc.rtt.sample(20);
    const losses = new LossDetector(cc, tuning.minRtoMs);
    for (let id = 0; id < 5; id++) losses.onSent(id, 100 + id);
    return { cc, losses };
  }

  test('the newest chunk goes again a round trip after the signal when the acks that came meanwhile do not show it received', () => {
    const { cc, losses } = detector();
    // Chunk 4 (the newest) is dropped: API Gateway answers "Internal server error" at 106 ms.
    losses.onCongestionSignal({ ackedThrough: -1, nextNew: 5 }, 106, 'failure');
    // Acks for chunks 0-3 come; nothing after chunk 4 was sent, so no report can show a gap.
    losses.onAck(120);
    losses.onPrefixAcked(-1, 3, true, 120);
    losses.onMissing([], { ackedThrough: 3, nextNew: 5 }, 120);
    const position = { ackedThrough: 3, nextNew: 5 };
    expect(losses.nextResend(position, 110)).toBeUndefined();
    expect(losses.nextResend(position, 106 + Math.max(50, cc.rtt.estimateMs!))).toBe(4);
  });

  test('it does not go again when an ack shows the receiver holds it (the signal was about another frame)', () => {
    const { cc, losses } = detector();
    losses.onCongestionSignal({ ackedThrough: -1, nextNew: 5 }, 106, 'failure');
    losses.onAck(120);
    losses.onPrefixAcked(-1, 4, false, 120);
    losses.onMissing([], { ackedThrough: 4, nextNew: 5 }, 120);
    expect(losses.nextResend({ ackedThrough: 4, nextNew: 5 }, 106 + Math.max(50, cc.rtt.estimateMs!))).toBeUndefined();
  });

  test('a failure halves the window and keeps the pacing rate; a throttle halves both', () => {
    const failed = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    const throttled = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    for (const cc of [failed, throttled]) {
      cc.rtt.sample(100);
      cc.onAcked(24);
    }
    failed.onCongestionSignal(1000, 'failure');
    throttled.onCongestionSignal(1000, 'throttle');
    expect(failed.windowChunks).toBe(throttled.windowChunks);
    expect(failed.pacer.ratePerSecond).toBe(300);
    expect(throttled.pacer.ratePerSecond).toBe(150);
  });
});

describe('LossDetector: the tail loss probe stays off a clean path', () => {
  const tuning = resolveTuning({ windowChunks: 64, initialWindowChunks: 8, minWindowChunks: 2, pacingPerSecond: 300 });

  test('a prefix that stands still with no loss found and nothing reported missing sends nothing before the timeout (data transfer out is billed)', () => {
    const cc = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES, 0);
    for (let i = 0; i < 5; i++) cc.rtt.sample(20);
    const losses = new LossDetector(cc, tuning.minRtoMs);
    for (let id = 0; id < 5; id++) losses.onSent(id, 100 + id);
    const position = { ackedThrough: -1, nextNew: 5 };
    // 150 ms without an ack: past two round trips and the 50 ms floor, before the 200 ms timeout.
    expect(losses.nextResend(position, 250)).toBeUndefined();
    // Once a loss was found on the path, the same standstill gets its probe.
    losses.onCongestionSignal(position, 251, 'failure');
    expect(losses.nextResend(position, 252)).toBe(0);
  });
});
