/** The version reported by `ollama --version` and `/api/version`. Kept in step with package.json. */
export const VERSION = '0.1.0';
