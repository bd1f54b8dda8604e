import type { WebSocket } from 'ws';
import { CLOSE_MESSAGE_TOO_BIG } from './limits';

/** The parts of ws 8's private frame receiver this module relies on. */
interface FrameReceiver {
  _payloadLength: number;
  _opcode: number;
  haveLength(cb: (error?: Error) => void): void;
  createError(ctor: ErrorConstructor, message: string, prefix: boolean, statusCode: number, errorCode: string): Error;
}

/**
 * Makes `socket` refuse any data frame longer than `limitBytes`, closing the connection with 1009
 * as API Gateway does. ws only limits whole messages (`maxPayload`), so this hooks the socket's
 * frame receiver, where each frame's length is known before its payload arrives. Returns false
 * (and changes nothing) when the installed ws does not have the expected internals.
 */
export function enforceFrameLimit(socket: WebSocket, limitBytes: number): boolean {
  const receiver = (socket as unknown as { _receiver?: Partial<FrameReceiver> })._receiver;
  if (!receiver || typeof receiver.haveLength !== 'function' || typeof receiver.createError !== 'function') {
    return false;
  }
  const haveLength = receiver.haveLength;
  receiver.haveLength = function (this: FrameReceiver, cb: (error?: Error) => void): void {
    // Opcodes below 0x08 are data frames (text, binary, continuation); control frames have their own 125-byte limit.
    if (this._opcode < 0x08 && this._payloadLength > limitBytes) {
      cb(this.createError(RangeError, 'Frame size exceeded', false, CLOSE_MESSAGE_TOO_BIG, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
      return;
    }
    haveLength.call(this, cb);
  };
  return true;
}
