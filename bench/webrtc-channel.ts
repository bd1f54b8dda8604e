/**
 * `npx tsx bench/webrtc-channel.ts [MB] [message KB]`: the ceiling of the direct path on this
 * machine. Two processes (a child each, signalling over IPC, loopback host candidates) move MB
 * (default 100) of binary messages (default 48 KB, a direct-path piece) over one ordered
 * @roamhq/wrtc data channel with nothing else to do: no file, no sealing, no hashing. Prints MB/s
 * and each side's CPU seconds. Not a test.
 */
import { fork } from 'node:child_process';
import { loadNodeWebRtc } from '../client/direct/node-webrtc';

const MEGABYTES = Number(process.argv[2] ?? 100);
const MESSAGE_BYTES = Number(process.argv[3] ?? 48) * 1000;
/** The sender keeps at most this much queued on the channel (the direct path's highWaterBytes). */
const HIGH_WATER_BYTES = 1024 * 1024;

type Signal = { readonly sdp: RTCSessionDescriptionInit } | { readonly candidate: RTCIceCandidateInit } | { readonly done: true };

/** One side: the sender offers and sends, the receiver answers and counts. */
async function side(role: 'sender' | 'receiver'): Promise<void> {
  const webrtc = await loadNodeWebRtc();
  if (!webrtc) throw new Error('@roamhq/wrtc did not load');
  const send = (signal: Signal) => process.send!(signal);
  const connection = new webrtc.RTCPeerConnection({ iceServers: [] });
  connection.onicecandidate = (event) => {
    if (event.candidate) send({ candidate: { candidate: event.candidate.candidate, sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex } });
  };
  const total = MEGABYTES * 1_000_000;
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return `cpu user ${(user / 1e6).toFixed(2)} s, sys ${(system / 1e6).toFixed(2)} s`;
  };
  process.on('message', (signal: Signal) => {
    void (async () => {
      if ('done' in signal) {
        console.log(`  sender: ${cpu()} (its whole life)`);
        process.exit(0);
      }
      if ('candidate' in signal) return connection.addIceCandidate(signal.candidate).catch(() => undefined);
      await connection.setRemoteDescription(signal.sdp);
      if (role === 'receiver') {
        await connection.setLocalDescription(await connection.createAnswer());
        send({ sdp: { type: 'answer', sdp: connection.localDescription!.sdp } });
      }
    })();
  });
  if (role === 'receiver') {
    connection.ondatachannel = ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      let received = 0;
      let startedAt = 0;
      channel.onmessage = (event: MessageEvent<ArrayBuffer>) => {
        startedAt ||= Date.now();
        received += event.data.byteLength;
        if (received < total) return;
        const seconds = (Date.now() - startedAt) / 1000;
        console.log(`${MEGABYTES} MB in ${MESSAGE_BYTES / 1000} KB messages over one data channel: ${(MEGABYTES / seconds).toFixed(1)} MB/s`);
        console.log(`  receiver: ${cpu()} (its whole life)`);
        send({ done: true });
        setTimeout(() => process.exit(0), 50);
      };
    };
    return;
  }
  const channel = connection.createDataChannel('bench', { ordered: true });
  const message = new Uint8Array(MESSAGE_BYTES).fill(7);
  channel.onopen = () => {
    let sent = 0;
    const pump = () => {
      while (sent < total && channel.bufferedAmount < HIGH_WATER_BYTES) {
        channel.send(message.subarray(0, Math.min(MESSAGE_BYTES, total - sent)));
        sent += MESSAGE_BYTES;
      }
      // @roamhq/wrtc fires no bufferedamountlow: look again in a millisecond, as the direct path does.
      if (sent < total) setTimeout(pump, 1);
    };
    pump();
  };
  await connection.setLocalDescription(await connection.createOffer());
  send({ sdp: { type: 'offer', sdp: connection.localDescription!.sdp } });
}

function main(): void {
  const role = process.env.BENCH_CHANNEL_ROLE;
  if (role === 'sender' || role === 'receiver') {
    void side(role).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
    return;
  }
  const child = (which: string) => fork(__filename, process.argv.slice(2), { env: { ...process.env, BENCH_CHANNEL_ROLE: which }, execArgv: ['--require', 'tsx/cjs'] });
  const sender = child('sender');
  const receiver = child('receiver');
  sender.on('message', (signal) => receiver.send(signal as object));
  receiver.on('message', (signal) => sender.connected && sender.send(signal as object));
}

main();
