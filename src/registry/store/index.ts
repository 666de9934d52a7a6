/** The model store: one import for everything other layers need. */
export * from './errors.js';
export * from './types.js';
export { Store, envBool, parentModel, writeTextBlob } from './store.js';
export type { ListedModel, ModelDetails, StoredModel, StoreOptions, WriteManifestResult } from './store.js';
export { StorePaths, defaultStoreRoot } from './paths.js';
export { hashFile, isTempBlobName } from './blobs.js';
export type { BlobSource, BlobWriteResult, WriteBlobOptions } from './blobs.js';
export { manifestDigestHex, manifestDigests, manifestSize, parseManifest, MAX_MANIFEST_BYTES } from './manifest.js';
export type { ParseManifestOptions } from './manifest.js';
export type { PruneOptions, PruneReport } from './gc.js';
export type { BlobProblem, ModelVerifyReport } from './verify.js';
export { storeReadOnlyReason, parseMountInfo, mountOf, isReadOnlyMount } from './readonly.js';
export type { MountEntry, ReadOnlyProbe } from './readonly.js';
export { HEARTBEAT_MS, LOCK_STALE_MS, LEASES_DIR, downloadLockPath, heldDigests, takeLease, tryDownloadLock } from './leases.js';
export type { Held } from './leases.js';
export { derivedInfo, derivedPaths, type DerivedKind, type DerivedSidecar } from './derived.js';
