#!/usr/bin/env node
// Patches node-llama-cpp's JavaScript (dist/evaluator/LlamaContext/LlamaContext.js) so that every
// sequence that is generating puts its next token into the same llama_decode (docs/runtime.md,
// "Parallel requests"). Plain JavaScript: the prebuilt addon gets it too, and it needs no compiler.
//
// What it changes: node-llama-cpp's dispatch loop (LlamaContext.dispatchPendingBatch) forms the
// next batch as soon as the previous one's results are handed out. A sequence that just received
// its token queues its next decode a few promise hops later, so with 4 streams one of them always
// missed the batch and rode one decode behind (4 streams ran as decodes of 3). The patch remembers
// which sequences received a token from a batch and, before forming the next one, waits until
// they have queued again: a few microtask rounds, then at most a few event-loop turns (a sequence
// that finished never comes back; the wait is bounded). Newcomers' prompt tokens queued meanwhile
// join the same batch, split by node-llama-cpp's own prioritisation (every item gets a share).
// v4: also hands a sequence's `tollamaTypicalP` (set by src/runtime/generate.ts for `typical_p`) to
// the sampler config as "typicalP", which the patched addon's sampler reads (nlc-typical.patch);
// not switched off by NODE_LLAMA_CPP_NO_BATCH_GATHER (it is not about batching).
// v3: the items of a batch go to llama.cpp in increasing sequence id order (its ubatch split for
// one KV stream per sequence takes only consecutive increasing ids; an out-of-order batch of 4 ran
// as 4 single-token decodes).
// v2: after a batched decode the sequences' sampleToken calls run one after another instead of
// on several libuv pool threads at once (measured with bench/batch-profile.mjs: concurrent samplers
// made the next decode slower; docs/performance.md). TOLLAMA_PARALLEL_SAMPLING=1 restores
// node-llama-cpp's concurrent sampling.
// NODE_LLAMA_CPP_NO_BATCH_GATHER=1 switches the wait (and the serial sampling) off at run time.
//
//   node scripts/native/patch-batching.mjs          apply if missing (idempotent), best effort (exit 0)
//   node scripts/native/patch-batching.mjs --strict same, but failure exits 1
//   node scripts/native/patch-batching.mjs --check  exit 0 when applied, 1 when not (changes nothing)
//   node scripts/native/patch-batching.mjs --clean  restore the original file
//
// The original is kept beside it as LlamaContext.js.tollama-orig; the marker string below, compiled
// into the patched file, is the stamp. A patch of another version is replaced from that original.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED_NLC_VERSION, findNodeLlamaCpp } from './lib.mjs';

/** Written into the patched file; bump the version when the edits change. */
export const BATCH_PATCH_MARKER = 'tollama-batch-gather v4';
export const TARGET = path.join('dist', 'evaluator', 'LlamaContext', 'LlamaContext.js');
const BACKUP_SUFFIX = '.tollama-orig';

/**
 * The edits: each anchor must occur exactly once in the original; the text goes right after it
 * (before it with `before`, in its place with `replace`).
 * The inserted lines are ours; the anchors are node-llama-cpp 3.22.1's.
 */
const EDITS = [
  {
    anchor: 'const decodeSyncWorkaround = {\n',
    before: true,
    text: `// ${BATCH_PATCH_MARKER}: wait for the sequences of the last batch before forming the next one
const tollamaBatchGather = !/^(1|true|yes|on)$/i.test(String(globalThis.process?.env?.NODE_LLAMA_CPP_NO_BATCH_GATHER ?? "").trim());
const tollamaGatherMicrotaskRounds = 64;
const tollamaGatherTurns = 4;
const tollamaSerialSampling = tollamaBatchGather && !/^(1|true|yes|on)$/i.test(String(globalThis.process?.env?.TOLLAMA_PARALLEL_SAMPLING ?? "").trim());
`,
  },
  {
    anchor: '                    const { currentBatchItems, currentBatchSize } = fitQueuedDecodesToABatch(orderedQueuedDecodes, this._batchSize);\n',
    text: `                    // ${BATCH_PATCH_MARKER}: put the batch's items in increasing sequence id order (same items, same
                    // amounts). With one KV stream per sequence llama.cpp cuts a batch into ubatches of consecutive
                    // increasing sequence ids, so [3, 2, 1, 0] ran as 4 decodes of 1 (docs/performance.md)
                    if (tollamaBatchGather && currentBatchItems.length > 1)
                        currentBatchItems.sort((a, b) => a.queuedDecode.sequenceId - b.queuedDecode.sequenceId);
                    // ${BATCH_PATCH_MARKER}: the sequences this batch hands a token to (their decode ends here with logits)
                    const tollamaGather = tollamaBatchGather && this._totalSequences > 1
                        ? currentBatchItems
                            .filter(({ queuedDecode, processAmount }) => processAmount === queuedDecode.tokens.length && queuedDecode.logits[processAmount - 1])
                            .map(({ queuedDecode }) => queuedDecode.sequenceId)
                        : [];
`,
  },
  {
    anchor: '                const afterDecodeActionResults = afterDecodeActions.map((action) => {\n',
    replace: `                // ${BATCH_PATCH_MARKER}: sample the sequences one after another (a promise chain), not on several pool
                // threads at once: measured, concurrent samplers slow the next decode (docs/performance.md)
                let tollamaSampleChain = Promise.resolve();
                const afterDecodeActionResults = afterDecodeActions.map((action) => {
                    if (tollamaSerialSampling && action.batchLogitIndexes.length > 0 && afterDecodeActions.length > 1) {
                        const run = () => tollamaSampleAction(action);
                        tollamaSampleChain = tollamaSampleChain.then(run, run);
                        return tollamaSampleChain;
                    }
                    return tollamaSampleAction(action);
                });
                function tollamaSampleAction(action) {
`,
  },
  {
    anchor: `                    finishAfterDecodeAction(action, mappedLogitValues);
                    return undefined;
                });
`,
    replace: `                    finishAfterDecodeAction(action, mappedLogitValues);
                    return undefined;
                }
`,
  },
  {
    anchor: `                    finally {
                        decodeLock?.dispose();
                        preventDisposalHandle.dispose();
                    }
`,
    text: `                    // ${BATCH_PATCH_MARKER}: let those sequences queue their next token (a few promise hops away) so it
                    // goes into the next decode with the others'; bounded, since a finished sequence never comes back
                    if (tollamaGather.length > 0) {
                        for (let round = 0; round < tollamaGatherMicrotaskRounds + tollamaGatherTurns &&
                            tollamaGather.some((sequenceId) => !this._queuedDecodeSequenceIds.has(sequenceId)); round++) {
                            if (round < tollamaGatherMicrotaskRounds)
                                await Promise.resolve();
                            else
                                await new Promise((accept) => setImmediate(accept));
                        }
                        // hand the context lock over between batches: a sequence's own locked operation (erasing its
                        // cache for a new prompt) then waits one decode, not until every other stream has finished
                        if (this._queuedDecodes.length > 0)
                            this.dispatchPendingBatch();
                        break;
                    }
`,
  },
  {
    anchor: `        const { tokenBiasKeys, tokenBiasValues } = getTokenBiasesForAddon(tokenBias, this.model);
        return removeNullFields({
`,
    text: `            // ${BATCH_PATCH_MARKER}: typical_p for the patched addon's sampler (undefined = none)
            typicalP: this.tollamaTypicalP,
`,
  },
];

/** The patched text of an original file (throws when an anchor is missing or not unique). */
export function patchSource(original) {
  if (original.includes(BATCH_PATCH_MARKER.split(' v')[0])) throw new Error('the file already carries a tollama batch patch');
  let out = original;
  for (const e of EDITS) {
    const first = out.indexOf(e.anchor);
    if (first < 0 || out.indexOf(e.anchor, first + 1) >= 0) throw new Error(`anchor ${first < 0 ? 'not found' : 'not unique'}: ${JSON.stringify(e.anchor.trim().slice(0, 80))}`);
    if (e.replace !== undefined) {
      out = out.slice(0, first) + e.replace + out.slice(first + e.anchor.length);
      continue;
    }
    const at = e.before ? first : first + e.anchor.length;
    out = out.slice(0, at) + e.text + out.slice(at);
  }
  return out;
}

/** 'patched' (current marker), 'stale' (another version of ours), 'original'. */
export function patchState(text) {
  if (text.includes(BATCH_PATCH_MARKER)) return 'patched';
  if (text.includes(BATCH_PATCH_MARKER.split(' v')[0])) return 'stale';
  return 'original';
}

function writeAtomic(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Applies the patch to node-llama-cpp at `nlcDir`. Returns what it did. */
export function applyBatchPatch(nlcDir) {
  const version = JSON.parse(fs.readFileSync(path.join(nlcDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_NLC_VERSION) throw new Error(`node-llama-cpp is ${version}, the patch is for ${EXPECTED_NLC_VERSION}`);
  const file = path.join(nlcDir, TARGET);
  const backup = file + BACKUP_SUFFIX;
  const current = fs.readFileSync(file, 'utf8');
  const state = patchState(current);
  if (state === 'patched') return 'up to date';
  let original = current;
  if (state === 'stale') {
    if (!fs.existsSync(backup)) throw new Error(`${file} carries another version of the patch and ${path.basename(backup)} is missing: reinstall node-llama-cpp`);
    original = fs.readFileSync(backup, 'utf8');
  }
  const patched = patchSource(original);
  if (!fs.existsSync(backup)) writeAtomic(backup, original);
  writeAtomic(file, patched);
  return state === 'stale' ? 'updated' : 'applied';
}

/** Puts the original file back (no-op when it was never patched). */
export function revertBatchPatch(nlcDir) {
  const file = path.join(nlcDir, TARGET);
  const backup = file + BACKUP_SUFFIX;
  if (!fs.existsSync(backup)) return patchState(fs.readFileSync(file, 'utf8')) === 'original' ? 'not patched' : 'no original to restore';
  writeAtomic(file, fs.readFileSync(backup, 'utf8'));
  fs.rmSync(backup);
  return 'restored';
}

/** Whether the installed file carries this version of the patch. */
export function batchPatchApplied(nlcDir) {
  try {
    return patchState(fs.readFileSync(path.join(nlcDir, TARGET), 'utf8')) === 'patched';
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const log = (msg) => console.log(`[tollama batching] ${msg}`);
  try {
    const nlcDir = findNodeLlamaCpp(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
    if (args.has('--check')) {
      const ok = batchPatchApplied(nlcDir);
      log(ok ? `${BATCH_PATCH_MARKER} is applied` : `${BATCH_PATCH_MARKER} is not applied`);
      process.exitCode = ok ? 0 : 1;
    } else if (args.has('--clean')) {
      log(revertBatchPatch(nlcDir));
    } else {
      log(`${BATCH_PATCH_MARKER}: ${applyBatchPatch(nlcDir)}`);
    }
  } catch (err) {
    log(`not applied (parallel requests still work, in smaller batches): ${err instanceof Error ? err.message : err}`);
    if (args.has('--strict') || args.has('--check')) process.exitCode = 1;
  }
}
