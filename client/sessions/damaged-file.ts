import { HashMismatchError } from '../errors';
import { savedFileNames } from '../safe-file-name';
import type { DamagedStreamError } from '../streams/stream-receiver';

/**
 * The receiver's error for a file it refused because its bytes differ from the manifest: the file
 * named as this side saves it (client/safe-file-name.ts: sanitised, never the sender's raw spelling),
 * not by its stream id.
 */
export function damagedFileError(index: number, manifestNames: readonly string[], damage: DamagedStreamError): HashMismatchError {
  const name = savedFileNames(manifestNames)[index] ?? `file ${index + 1}`;
  return new HashMismatchError(`${name} arrived damaged (${damage.damage}); nothing was saved; send it again`, { file: { index, name }, cause: damage });
}

/**
 * The sender's error once its receiver refused file `index` as damaged, in a cancel sealed with the
 * receiver's key: the file named by the sender's own name for it (the receiver's words are not needed).
 */
export function refusedAsDamagedError(index: number, names: readonly string[]): HashMismatchError {
  const name = names[index];
  const what = name ?? 'a file';
  return new HashMismatchError(
    `${what} arrived damaged at the receiver (its SHA-256 differs from the one announced: did the file change while it was being sent?); the receiver saved nothing; send it again`,
    name === undefined ? undefined : { file: { index, name } },
  );
}
