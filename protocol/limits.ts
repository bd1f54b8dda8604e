/**
 * The wire's limits (docs/protocol.md, "Fields and limits"): API Gateway's sizes, which the local
 * relay reproduces and the clients stay under, and the relay's bounds on each field. Changing one
 * is a protocol change.
 */

/** API Gateway closes a connection that sends a frame over 32 KB (1009). */
export const MAX_FRAME_BYTES = 32 * 1024;

/** API Gateway closes a connection that sends a message (all its frames together) over 128 KB (1009); also the `@connections` post limit. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Longest connection id the relay accepts (API Gateway's are 16 characters). */
export const MAX_CONNECTION_ID_LENGTH = 128;

/** Longest qrhash (a base64url SHA-256 is 43 characters). */
export const MAX_QRHASH_LENGTH = 128;

/** Longest Request `message`. */
export const MAX_REQUEST_MESSAGE_LENGTH = 16_384;

/** Longest `chunkhash` (a hex SHA-512 is 128 characters). */
export const MAX_CHUNKHASH_LENGTH = 128;

/** Most entries in an Acknowledge's `missingchunkids`. */
export const MAX_MISSING_CHUNK_IDS = 4096;

/** Longest `fileid` extension. */
export const MAX_FILEID_LENGTH = 64;

/** Longest `request` an Error frame names; a longer action is cut and ends in "…". */
export const MAX_ERROR_REQUEST_LENGTH = 128;

/** Longest `reason` of an Error frame (it may quote the client's action). */
export const MAX_ERROR_REASON_LENGTH = 1024;
