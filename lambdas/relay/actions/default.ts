import { UnknownActionError } from '../errors';
import { actionOf } from '../../../protocol/frames';
import { parseJsonObject } from '../frame-parsing';
import type { RelayContext } from '../relay-context';

/** `$default`: a frame that is not JSON (BadRequest) or names no known action (UnknownAction). */
export async function refuseUnroutable(context: RelayContext): Promise<void> {
  parseJsonObject(context.body);
  throw new UnknownActionError(actionOf(context.body));
}
