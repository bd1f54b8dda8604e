import { UnknownActionError } from '../errors';
import { actionOf, parseJsonObject } from '../frames';
import type { RelayContext } from '../relay-context';

/** `$default`: a frame that is not JSON (BadRequest) or names no known action (UnknownAction). */
export async function refuseUnroutable(context: RelayContext): Promise<void> {
  parseJsonObject(context.body);
  throw new UnknownActionError(actionOf(context.body));
}
