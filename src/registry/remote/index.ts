/** The registry client: pull and push models over the OCI/Docker distribution protocol. */
export { pullModel, pull, type PullOptions } from './pull.js';
export { pushModel, push, type PushOptions } from './push.js';
export type { ProgressEvent, ProgressFn } from './progress.js';
export { RegistryError, NotFoundError, UnauthorizedError, BadRemoteError, DigestMismatchError, AbortedError } from './errors.js';
export { AUTH_ENV, findCredentials, type Credentials } from './credentials.js';
export { fsStorePort, storePort, type StorePort, type StoreInput } from './storeport.js';
export { remoteRef, type RemoteRef } from './url.js';
