import { en } from 'zod/locales';
import type * as z from 'zod/mini';
import { BadRequestError } from './errors';
import { parseFrameText } from '../../protocol/frames';

/** zod's English messages: the reasons of BadRequest Error frames (`zod/mini` loads no locale by itself). */
const ENGLISH = en().localeError;

/** Parses a frame's text as JSON; BadRequestError when it is not a JSON object. */
export function parseJsonObject(body: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseFrameText(body ?? '');
  } catch (cause) {
    throw new BadRequestError('the frame is not JSON; send {"action":"…", …}', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('the frame is not a JSON object; send {"action":"…", …}');
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a frame's text against one of protocol/frames.ts's schemas: the typed frame with
 * unknown fields dropped, or BadRequestError naming the first field at fault.
 */
export function parseFrame<T extends z.ZodMiniType>(schema: T, body: string | undefined): z.output<T> {
  const result = schema.safeParse(parseJsonObject(body), { error: ENGLISH });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'frame';
  throw new BadRequestError(`${where}: ${issue?.message ?? 'invalid'}`);
}
