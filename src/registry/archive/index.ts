/** Offline transfer: export/import as one OCI image layout tar, plus prune. See docs/offline.md. */
export * from './errors.js';
export { exportTar, planExport } from './export.js';
export type { ExportBlob, ExportModel, ExportOptions, ExportPlan, ExportProgress } from './export.js';
export { importArchive } from './import.js';
export type { ImportedModel, ImportOptions, ImportProgress, ImportResult } from './import.js';
export { pruneBlobs, STALE_AFTER_MS } from './prune.js';
export type { PruneItem, PrunePlanResult } from './prune.js';
export { OLLAMA_MANIFEST_ANNOTATION, REF_NAME_ANNOTATION } from './layout.js';
