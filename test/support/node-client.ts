import WebSocket from 'ws';
import type { WebSocketConstructor } from '../../client';
import type { ProtocolTuning } from '../../client/tuning';

/** The `ws` WebSocket as the client library's WebSocket constructor (Node tests). */
export const NODE_WS = WebSocket as unknown as WebSocketConstructor;

/** A shorter quiet period, so tests that break a transfer see the receiver's report sooner. */
export const QUICK_TUNING: Partial<ProtocolTuning> = { quietMs: 100 };
