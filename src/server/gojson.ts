/**
 * JSON for responses, written as Go's encoding/json writes it. One encoder serves the whole
 * project (src/registry/gojson.ts, which also makes manifests and config blobs); this module
 * gives the server its names for it. Float32Array values are written as Go writes `[]float32`.
 */
import { goFloat, goFloat32, goMarshal, goQuote } from '../registry/gojson.js';

export { goFloat32 };

/** A JSON string literal as Go writes it (`<>&` escaped). */
export function goString(s: string): string {
  return goQuote(s);
}

/** A float64 as Go writes it (NaN/±Inf are not representable; written as null). */
export function goFloat64(x: number): string {
  return Number.isFinite(x) ? goFloat(x) : 'null';
}

/** Serialises `value` like Go's json.Marshal (undefined object fields are skipped). */
export function goJSON(value: unknown): string {
  return goMarshal(value);
}
