import type { RtcSignal } from '../crypto/control-messages';
import type { WebRtcImplementation } from './node-webrtc';

/** Which path carries a session's Transfer and Acknowledge frames. */
export type TransferPath = 'direct' | 'relay';

/** What a DirectLink needs from its session. */
export interface DirectLinkOptions {
  readonly webrtc: WebRtcImplementation;
  /** The sender offers the data channel; the receiver answers. */
  readonly role: 'sender' | 'receiver';
  /** Sends one signalling step to the proven peer, sealed, through the relay. */
  readonly sendSignal: (signal: RtcSignal) => Promise<void>;
  /** A text frame arrived over the data channel (untrusted: the session parses and checks it). */
  readonly onText: (text: string) => void;
  /** A binary message arrived over the data channel (untrusted: a piece of a sealed chunk, client/direct/chunk-pieces.ts). */
  readonly onBinary?: (bytes: Uint8Array) => void;
  /** The path changed: the channel opened, or the open one closed. */
  readonly onPath: (path: TransferPath) => void;
  /** @default none: host candidates only */
  readonly iceServers?: readonly RTCIceServer[];
  /** Test hook: our candidates for which this returns false are never signalled. */
  readonly candidateFilter?: (candidate: string) => boolean;
}

/** The data channel's label. */
const CHANNEL_LABEL = 'banguins';

/**
 * A session's direct path: one WebRTC peer connection with one ordered, reliable data channel to the
 * peer, set up through sealed `rtc` control messages (docs/protocol-client.md section 6). It carries
 * text frames and binary messages; what goes over it (the same sealed chunks and acks as over the
 * relay) and what happens when it closes is the session's business. Steps of an older attempt are ignored.
 * Whether it is open is kept from the channel's events: @roamhq/wrtc's `readyState` getter waits on
 * its signalling thread, and cost the sender about a tenth of its time when read for every chunk.
 */
export class DirectLink {
  private connection?: RTCPeerConnection;
  private channel?: RTCDataChannel;
  private attempt = -1;
  private remoteSet = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private closed = false;
  /** The adopted channel fired `open` and has not closed since. */
  private channelOpen = false;
  /** Called once the channel's queue drains below the level whenDrained was given. */
  private onDrained?: () => void;
  private drainPoll?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: DirectLinkOptions) {}

  /** Whether the data channel is open and carries frames. */
  get isOpen(): boolean {
    return this.channelOpen;
  }

  /** Bytes queued on the data channel, not yet sent. */
  get bufferedAmount(): number {
    return this.channel?.bufferedAmount ?? 0;
  }

  /** Sends one text frame over the channel; false when it is not open (the caller uses the relay). */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.channel!.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends one binary message over the channel; false when it is not open. */
  sendBinary(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    try {
      this.channel!.send(bytes as Uint8Array<ArrayBuffer>);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Calls `onDrained` once, when the channel's queue is at most `bytes` or the channel closed: on the
   * browser's `bufferedamountlow` event, else (@roamhq/wrtc fires none) by looking every millisecond.
   * A later call replaces an earlier one that has not fired.
   */
  whenDrained(bytes: number, onDrained: () => void): void {
    const channel = this.channel;
    this.onDrained = onDrained;
    if (!channel || !this.isOpen || channel.bufferedAmount <= bytes) return this.drained();
    if (firesBufferedAmountLow(channel)) {
      channel.bufferedAmountLowThreshold = bytes;
      channel.onbufferedamountlow = () => this.drained();
      return;
    }
    if (this.drainPoll) return;
    const look = () => {
      this.drainPoll = undefined;
      if (!this.onDrained) return;
      if (this.channel !== channel || !this.isOpen || channel.bufferedAmount <= bytes) return this.drained();
      this.drainPoll = setTimeout(look, DRAIN_POLL_MS);
    };
    this.drainPoll = setTimeout(look, DRAIN_POLL_MS);
  }

  private drained(): void {
    const onDrained = this.onDrained;
    this.onDrained = undefined;
    onDrained?.();
  }

  /** Sender: offers a new data channel; resolves true once it is open, false after `timeoutMs`. */
  async offer(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    const connection = this.newConnection(this.attempt + 1);
    const opened = new Promise<boolean>((resolve) => {
      // Not open in time: this attempt is abandoned, and the session stays on the relay.
      const timer = setTimeout(() => {
        if (this.connection === connection) this.drop();
        resolve(false);
      }, timeoutMs);
      const channel = connection.createDataChannel(CHANNEL_LABEL, { ordered: true });
      this.adopt(channel, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await connection.setLocalDescription(await connection.createOffer());
      await this.options.sendSignal({ t: 'rtc', kind: 'offer', attempt: this.attempt, sdp: this.filteredSdp(connection.localDescription!.sdp) });
    } catch {
      return false;
    }
    return opened;
  }

  /** Takes one signalling step from the proven peer (anything unusable is ignored). */
  async handleSignal(signal: RtcSignal): Promise<void> {
    if (this.closed) return;
    try {
      if (signal.kind === 'offer') {
        if (this.options.role !== 'receiver' || signal.attempt <= this.attempt) return;
        const connection = this.newConnection(signal.attempt);
        connection.ondatachannel = (event) => {
          if (event.channel.label === CHANNEL_LABEL && this.connection === connection) this.adopt(event.channel);
        };
        await connection.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
        await this.remoteDescriptionSet(connection);
        await connection.setLocalDescription(await connection.createAnswer());
        await this.options.sendSignal({ t: 'rtc', kind: 'answer', attempt: signal.attempt, sdp: this.filteredSdp(connection.localDescription!.sdp) });
        return;
      }
      if (signal.attempt !== this.attempt || !this.connection) return;
      if (signal.kind === 'answer') {
        if (this.options.role !== 'sender' || this.remoteSet) return;
        await this.connection.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
        await this.remoteDescriptionSet(this.connection);
        return;
      }
      if (signal.kind !== 'candidate') return;
      const candidate: RTCIceCandidateInit = { candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex };
      if (this.remoteSet) await this.connection.addIceCandidate(candidate);
      else if (this.pendingCandidates.length < MAX_PENDING_CANDIDATES) this.pendingCandidates.push(candidate);
    } catch {
      // A malformed SDP or candidate: this attempt may not open, and the session stays on the relay.
    }
  }

  /** Closes the path for good (the session ended, or tests break it): the session hears 'relay' if it was open. */
  close(): void {
    this.closed = true;
    this.drop();
  }

  /**
   * Closes the current channel, keeping the link usable for a later attempt: the session hears
   * 'relay' if it was open, and the sender offers again later (tests use it to break the path).
   */
  drop(): void {
    const wasOpen = this.isOpen;
    const { channel, connection } = this;
    this.channel = undefined;
    this.connection = undefined;
    this.channelOpen = false;
    channel?.close();
    connection?.close();
    if (wasOpen) this.options.onPath('relay');
    this.drained();
  }

  private newConnection(attempt: number): RTCPeerConnection {
    this.drop();
    this.attempt = attempt;
    this.remoteSet = false;
    this.pendingCandidates = [];
    const connection = new this.options.webrtc.RTCPeerConnection({ iceServers: [...(this.options.iceServers ?? [])] });
    this.connection = connection;
    connection.onicecandidate = (event) => {
      if (!event.candidate || this.connection !== connection) return;
      const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
      if (this.options.candidateFilter && !this.options.candidateFilter(candidate)) return;
      void this.options
        .sendSignal({ t: 'rtc', kind: 'candidate', attempt, candidate, ...(sdpMid == null ? {} : { sdpMid }), ...(sdpMLineIndex == null ? {} : { sdpMLineIndex }) })
        .catch(() => undefined);
    };
    return connection;
  }

  /** An SDP without the candidate lines the test hook filters out (an SDP may already list gathered candidates). */
  private filteredSdp(sdp: string): string {
    const keep = this.options.candidateFilter;
    if (!keep) return sdp;
    return sdp
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') || keep(line.slice(2)))
      .join('\r\n');
  }

  private async remoteDescriptionSet(connection: RTCPeerConnection): Promise<void> {
    this.remoteSet = true;
    for (const candidate of this.pendingCandidates.splice(0)) await connection.addIceCandidate(candidate).catch(() => undefined);
  }

  /** Makes `channel` the path: its frames go to the session, its open and close change the path. */
  private adopt(channel: RTCDataChannel, onOpen?: () => void): void {
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (event: MessageEvent) => {
      if (this.channel !== channel) return;
      const data: unknown = event.data;
      if (typeof data === 'string') this.options.onText(data);
      else if (data instanceof ArrayBuffer) this.options.onBinary?.(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) this.options.onBinary?.(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
    channel.onopen = () => {
      if (this.channel !== channel || this.channelOpen) return;
      this.channelOpen = true;
      onOpen?.();
      this.options.onPath('direct');
    };
    channel.onclose = () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.channelOpen = false;
      this.connection?.close();
      this.connection = undefined;
      this.options.onPath('relay');
      this.drained();
    };
    if (channel.readyState === 'open') channel.onopen(new Event('open'));
  }
}

/** Whether the channel fires `bufferedamountlow` (browsers do; @roamhq/wrtc has neither the event nor the threshold). */
function firesBufferedAmountLow(channel: RTCDataChannel): boolean {
  return 'onbufferedamountlow' in channel && 'bufferedAmountLowThreshold' in channel;
}

/** How often the queue is looked at while a sender waits for it to drain (without a bufferedamountlow event). */
const DRAIN_POLL_MS = 1;

/** The most candidates kept while the remote description is not set yet. */
const MAX_PENDING_CANDIDATES = 64;
