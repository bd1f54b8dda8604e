import { MAX_RTC_CANDIDATE_CHARS, MAX_RTC_SDP_CHARS, openControl, sealControl, type ControlMessage, type RtcSignal } from '../client/crypto/control-messages';
import { deriveSessionKeys, randomBytes, SECRET_BYTES, Sealer, type SessionKeys } from '../client/crypto/session-crypto';
import type { AesGcmKey } from '../client/crypto/crypto-port';
import { loadNodeWebRtc } from '../client/direct/node-webrtc';
import { MAX_REQUEST_MESSAGE_LENGTH } from '../protocol/limits';

/** WebRTC signalling as sealed control messages (`{"t":"rtc",...}`): bounded, validated, and enough for two real peers to meet. */
describe('rtc control messages', () => {
  let keys: SessionKeys;
  let sealer: Sealer;
  beforeAll(async () => {
    keys = await deriveSessionKeys(randomBytes(SECRET_BYTES));
    sealer = new Sealer(keys.senderKey);
  });
  /** Seals any JSON value as a control message, as a hostile holder of the secret could. */
  const sealRaw = (value: unknown) => sealControl(sealer, value as ControlMessage);
  const roundTrip = async (value: unknown) => openControl(keys.senderKey, await sealRaw(value));

  it('opens offers, answers and candidates, dropping unknown fields', async () => {
    expect(await roundTrip({ t: 'rtc', kind: 'offer', attempt: 0, sdp: 'v=0\r\n', extra: 'x' })).toEqual({ t: 'rtc', kind: 'offer', attempt: 0, sdp: 'v=0\r\n' });
    expect(await roundTrip({ t: 'rtc', kind: 'answer', attempt: 3, sdp: 'v=0\r\n' })).toEqual({ t: 'rtc', kind: 'answer', attempt: 3, sdp: 'v=0\r\n' });
    const candidate = { t: 'rtc', kind: 'candidate', attempt: 1, candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    expect(await roundTrip(candidate)).toEqual(candidate);
    // The end of candidates: an empty candidate line.
    expect(await roundTrip({ t: 'rtc', kind: 'candidate', attempt: 1, candidate: '', sdpMid: '0' })).toEqual({ t: 'rtc', kind: 'candidate', attempt: 1, candidate: '', sdpMid: '0' });
  });

  it.each([
    ['an unknown kind', { t: 'rtc', kind: 'renegotiate', attempt: 0, sdp: 'v=0' }],
    ['no attempt', { t: 'rtc', kind: 'offer', sdp: 'v=0' }],
    ['a negative attempt', { t: 'rtc', kind: 'offer', attempt: -1, sdp: 'v=0' }],
    ['a fractional attempt', { t: 'rtc', kind: 'offer', attempt: 0.5, sdp: 'v=0' }],
    ['a huge attempt', { t: 'rtc', kind: 'offer', attempt: 1e9, sdp: 'v=0' }],
    ['an empty sdp', { t: 'rtc', kind: 'offer', attempt: 0, sdp: '' }],
    ['an sdp that is not a string', { t: 'rtc', kind: 'answer', attempt: 0, sdp: { type: 'answer' } }],
    ['an sdp over the limit', { t: 'rtc', kind: 'offer', attempt: 0, sdp: 'a'.repeat(MAX_RTC_SDP_CHARS + 1) }],
    ['a candidate over the limit', { t: 'rtc', kind: 'candidate', attempt: 0, candidate: 'c'.repeat(MAX_RTC_CANDIDATE_CHARS + 1), sdpMid: '0' }],
    ['a candidate that is not a string', { t: 'rtc', kind: 'candidate', attempt: 0, candidate: 7, sdpMid: '0' }],
    ['a candidate with neither sdpMid nor sdpMLineIndex', { t: 'rtc', kind: 'candidate', attempt: 0, candidate: 'candidate:1' }],
    ['a long sdpMid', { t: 'rtc', kind: 'candidate', attempt: 0, candidate: 'candidate:1', sdpMid: 'm'.repeat(33) }],
    ['a bad sdpMLineIndex', { t: 'rtc', kind: 'candidate', attempt: 0, candidate: 'candidate:1', sdpMLineIndex: '0' }],
  ])('ignores %s', async (_name, value) => {
    expect(await roundTrip(value)).toBeUndefined();
  });

  it('ignores an rtc message sealed with the other side\'s key', async () => {
    const sealed = await sealRaw({ t: 'rtc', kind: 'offer', attempt: 0, sdp: 'v=0' });
    expect(await openControl(keys.receiverKey, sealed)).toBeUndefined();
  });

  it('seals the largest rtc message within a Request message', async () => {
    const offer: RtcSignal = { t: 'rtc', kind: 'offer', attempt: 1000, sdp: 'a'.repeat(MAX_RTC_SDP_CHARS) };
    const sealed = await sealControl(sealer, offer);
    expect(sealed.length).toBeLessThanOrEqual(MAX_REQUEST_MESSAGE_LENGTH);
  });

  it('carries a real WebRTC offer, answer and candidates between two @roamhq/wrtc peers, whose data channel then opens', async () => {
    const webrtc = await loadNodeWebRtc();
    expect(webrtc).toBeDefined();
    const { RTCPeerConnection: PeerConnection } = webrtc!;
    const senderSealer = sealer;
    const receiverSealer = new Sealer(keys.receiverKey);
    const offerer = new PeerConnection({ iceServers: [] });
    const answerer = new PeerConnection({ iceServers: [] });
    /** Sends a signal sealed, as a Request's message would carry it, and opens it on the other side. */
    const carry = async (from: Sealer, key: AesGcmKey, signal: RtcSignal) => {
      const opened = await openControl(key, await sealControl(from, signal));
      expect(opened).toEqual(signal);
      return opened as RtcSignal;
    };
    const forward = (from: RTCPeerConnection, to: RTCPeerConnection, sealerOf: Sealer, key: AesGcmKey) => {
      from.onicecandidate = (event) => {
        if (!event.candidate) return;
        const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
        void carry(sealerOf, key, {
          t: 'rtc',
          kind: 'candidate',
          attempt: 0,
          candidate,
          ...(sdpMid == null ? {} : { sdpMid }),
          ...(sdpMLineIndex == null ? {} : { sdpMLineIndex }),
        }).then(async (signal) => {
          if (signal.kind === 'candidate') await to.addIceCandidate({ candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex });
        });
      };
    };
    forward(offerer, answerer, senderSealer, keys.senderKey);
    forward(answerer, offerer, receiverSealer, keys.receiverKey);
    try {
      const channel = offerer.createDataChannel('banguins', { ordered: true });
      const received = new Promise<string>((resolve) => {
        answerer.ondatachannel = (event) => {
          event.channel.onmessage = (message) => resolve(String(message.data));
        };
      });
      channel.onopen = () => channel.send('sealed chunks go here');
      await offerer.setLocalDescription(await offerer.createOffer());
      const offer = await carry(senderSealer, keys.senderKey, { t: 'rtc', kind: 'offer', attempt: 0, sdp: offerer.localDescription!.sdp });
      await answerer.setRemoteDescription({ type: 'offer', sdp: offer.kind === 'offer' ? offer.sdp : '' });
      await answerer.setLocalDescription(await answerer.createAnswer());
      const answer = await carry(receiverSealer, keys.receiverKey, { t: 'rtc', kind: 'answer', attempt: 0, sdp: answerer.localDescription!.sdp });
      await offerer.setRemoteDescription({ type: 'answer', sdp: answer.kind === 'answer' ? answer.sdp : '' });
      expect(await received).toBe('sealed chunks go here');
      // A real data-channel SDP sits far below the limit.
      expect(offerer.localDescription!.sdp.length).toBeLessThan(MAX_RTC_SDP_CHARS / 2);
    } finally {
      offerer.close();
      answerer.close();
    }
  });
});
