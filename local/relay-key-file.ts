import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { banguinsConfigFolder } from '../cli/config-folder';
import { RELAY_KEY_PATTERN } from '../lambdas/relay/relay-key';
import { LocalRelayError } from './errors';

/**
 * Where `npm start` keeps the access key it generated, so a restarted relay requires the same key
 * and transfers in flight (whose links carry it) resume: `local-relay-key` in the Banguins config
 * folder (cli/config-folder.ts).
 */
export function relayKeyFilePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return path.join(banguinsConfigFolder(env, platform), 'local-relay-key');
}

/** A generated key and whether this start made it. */
export interface StoredRelayKey {
  readonly key: string;
  readonly created: boolean;
}

/**
 * The key kept in `file`, or a new one written there (readable by the user only) when there is
 * none. A file that holds no valid key is an error: deleting it is how a user asks for a new key.
 */
export function loadOrCreateRelayKey(file: string): StoredRelayKey {
  const existing = readKey(file);
  if (existing !== undefined) return { key: existing, created: false };
  const key = randomBytes(24).toString('base64url');
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another relay starting at the same moment wrote it first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { key: readKey(file) ?? key, created: false };
    throw new LocalRelayError('RelayKeyFileFailed', `cannot keep the access key in ${file} (${(error as Error).message}): give one with BANGUINS_RELAY_KEY or --key`, { cause: error });
  }
  return { key, created: true };
}

function readKey(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalRelayError('RelayKeyFileFailed', `cannot read the access key in ${file} (${(error as Error).message})`, { cause: error });
  }
  const key = text.trim();
  if (!RELAY_KEY_PATTERN.test(key)) {
    throw new LocalRelayError('RelayKeyFileFailed', `${file} holds no valid access key: delete it, and the next start makes a new one`);
  }
  return key;
}
