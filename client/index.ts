/** The banguins client: send and receive files through a relay, end-to-end encrypted. Runs in Node and browsers. */
export * from './errors';
export * from './ports';
export * from './streams/chunking';
export * from '../protocol/limits';
export * from './crypto/pairing-link';
export * from './transport/relay-url';
export * from './sessions/session-events';
export * from './tuning';
export type { Hasher, HasherFactory } from './crypto/sha256';
export { Sha256, createSha256 } from './crypto/sha256';
export { sendFiles, type SendOptions, type SendSummary } from './sessions/send-session';
export { receiveFiles, type ReceiveOptions, type ReceiveSummary, type IncomingFile } from './sessions/receive-session';
export { RelayConnection } from './transport/relay-connection';
export type { ReceiveResumePoint, ReceivedManifest } from './streams/resume-point';
export { decodeManifest, type Manifest, type ManifestFile } from './streams/manifest';
export { checkManifestLimits } from './streams/manifest-limits';
export { deriveSessionKeys } from './crypto/session-crypto';
export type { AesGcmKey, CryptoPort } from './crypto/crypto-port';
