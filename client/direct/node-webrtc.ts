/** The part of a WebRTC implementation the direct path uses: the browser's globals, or `@roamhq/wrtc`'s. */
export interface WebRtcImplementation {
  readonly RTCPeerConnection: typeof RTCPeerConnection;
}

/**
 * Loads `@roamhq/wrtc` (an optional dependency: a native binary in a per-platform package) for Node;
 * undefined when it is not installed or cannot load on this platform, and the session then stays on
 * the relay.
 */
export async function loadNodeWebRtc(): Promise<WebRtcImplementation | undefined> {
  try {
    // require (the project is CommonJS): tsx keeps a dynamic import() as ESM, which ignores NODE_PATH.
    // A name in a variable: type-checking and bundling must not need the optional package.
    const name = '@roamhq/wrtc';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wrtc = (await Promise.resolve(require(name))) as Partial<WebRtcImplementation> & { default?: Partial<WebRtcImplementation> };
    const RTCPeerConnection = wrtc.RTCPeerConnection ?? wrtc.default?.RTCPeerConnection;
    return RTCPeerConnection ? { RTCPeerConnection } : undefined;
  } catch {
    return undefined;
  }
}
