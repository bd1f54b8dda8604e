import { ProtocolError } from '../errors';
import type { Manifest } from './manifest';

/** Most files one manifest may announce. */
const MAX_MANIFEST_FILES = 10_000;
/** Longest MIME type a manifest may give a file. */
const MAX_MANIFEST_TYPE_LENGTH = 255;

/**
 * Checks what decodeManifest leaves to the receiver's judgement, since the sender is not trusted:
 * a bounded number of files, sizes that still add up exactly (at most 2^53 - 1 bytes in all), and
 * short MIME types. Returns the manifest; throws ProtocolError naming what is wrong.
 */
export function checkManifestLimits(manifest: Manifest): Manifest {
  if (manifest.files.length > MAX_MANIFEST_FILES) {
    throw new ProtocolError(`the manifest announces ${manifest.files.length} files; at most ${MAX_MANIFEST_FILES} are accepted`);
  }
  let total = 0;
  for (const [i, file] of manifest.files.entries()) {
    total += file.size;
    if (!Number.isSafeInteger(total)) throw new ProtocolError('the manifest announces more than 9 PB in all');
    if (file.type.length > MAX_MANIFEST_TYPE_LENGTH) throw new ProtocolError(`manifest file ${i} has a type longer than ${MAX_MANIFEST_TYPE_LENGTH} characters`);
  }
  return manifest;
}
