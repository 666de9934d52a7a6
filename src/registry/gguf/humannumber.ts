/** Ollama's HumanNumber and Go's `%.Nf` live in src/api/format.ts (one implementation, shared). */
export { goFixed, humanNumber } from '../../api/format.js';
