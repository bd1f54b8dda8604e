/** The banguins client: send and receive files through a relay, end-to-end encrypted. Runs in Node and browsers. */
export * from './errors';
export * from './ports';
export * from './protocol-constants';
export * from '../protocol/limits';
export * from './pairing-link';
export * from './relay-url';
export * from './session-events';
export * from './tuning';
export type { Hasher, HasherFactory } from './sha256';
export { Sha256, createSha256 } from './sha256';
export { sendFiles, type SendOptions, type SendSummary } from './send-session';
export { receiveFiles, type ReceiveOptions, type ReceiveSummary, type IncomingFile } from './receive-session';
export { RelayConnection } from './relay-connection';
export type { ReceiveResumePoint, ReceivedManifest } from './resume-point';
export { decodeManifest, type Manifest, type ManifestFile } from './manifest';
export { checkManifestLimits } from './manifest-limits';
export { deriveSessionKeys } from './session-crypto';
