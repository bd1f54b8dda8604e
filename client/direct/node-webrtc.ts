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
    // A name in a variable: type-checking and bundling must not need the optional package.
    const name = '@roamhq/wrtc';
    const wrtc = (await import(name)) as Partial<WebRtcImplementation> & { default?: Partial<WebRtcImplementation> };
    const RTCPeerConnection = wrtc.RTCPeerConnection ?? wrtc.default?.RTCPeerConnection;
    return RTCPeerConnection ? { RTCPeerConnection } : undefined;
  } catch {
    return undefined;
  }
}
