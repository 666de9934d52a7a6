// Tollama's vision bridge core (#15): the calls a request makes into libmtmd, in one place, so the
// addon patch that will expose them to JavaScript only has to hand over the context's
// llama_model* / llama_context* and move the work off the event loop. Compiled today by
// test/runtime/mtmd-bridge.test.ts against the libmtmd built by scripts/native/build-mtmd.mjs.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "llama.h"
#include "mtmd.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest image accepted, in pixels (width × height) from the header, checked before decoding. */
#define TOLLAMA_MTMD_MAX_PIXELS (8192u * 8192u)

struct tollama_mtmd_result {
    int32_t n_tokens;    // text + image tokens of the prompt (what prompt_eval_count reports)
    int32_t n_image_tokens;
    int32_t new_n_past;  // the sequence's next position
    double  eval_ms;     // tokenize + encode + decode, wall time
    char    error[256];  // set when the call returns non-zero
};

/**
 * Loads a projector for `model` (CPU, `n_threads`), or NULL with `error` set (for instance when
 * the projector's output width is not the model's embedding width). With these two wrappers the
 * addon needs no libmtmd header: it dlopen()s libtollama-mtmd.so and looks up tollama_* only.
 */
mtmd_context * tollama_mtmd_init(const char * mmproj_path, const llama_model * model, int n_threads, char * error, size_t error_len);
void tollama_mtmd_free(mtmd_context * mctx);

/**
 * Reads an image's declared width and height from its header (PNG, JPEG, GIF, BMP) without
 * decoding it. Returns 0 and sets *w, *h; 1 when the format is not recognised; 2 when the
 * header is truncated.
 */
int tollama_image_dims(const unsigned char * buf, size_t len, uint32_t * w, uint32_t * h);

/**
 * Evaluates `text` (holding mtmd_default_marker() once per image) with `n_images` encoded images
 * into sequence `seq_id` of `lctx`, starting at position `n_past`. The prompt must end with text,
 * because image batches compute no logits. Logits of the last token are kept for sampling.
 * Returns 0 on success; otherwise non-zero with r->error set, and the caller must treat the
 * sequence from n_past on as undefined (remove it).
 */
int tollama_mtmd_eval(mtmd_context * mctx, llama_context * lctx, const char * text,
                      const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                      int32_t n_past, int32_t seq_id, int32_t n_batch, struct tollama_mtmd_result * r);

/**
 * The same, but the prompt's last token is not evaluated: it is returned in *held_token (and
 * r->new_n_past is its position), for the caller's own decode path (node-llama-cpp's evaluate,
 * with its sampling, grammar and logprobs) to evaluate it and sample from its logits.
 */
int tollama_mtmd_eval_hold_last(mtmd_context * mctx, llama_context * lctx, const char * text,
                                const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                int32_t n_past, int32_t seq_id, int32_t n_batch, struct tollama_mtmd_result * r,
                                llama_token * held_token);

/**
 * A tokenized prompt (text and images), kept between tokenizing and evaluating so that the caller
 * can compare its layout with what the sequence already holds and evaluate only the rest.
 */
typedef struct tollama_mtmd_prompt tollama_mtmd_prompt;

/** One chunk of a tokenized prompt. type: 0 text (tokens set), 1 image, 2 audio (id set). */
struct tollama_mtmd_chunk_info {
    int32_t type;
    int32_t n_tokens;            // text tokens, or the image's embeddings
    int32_t n_pos;               // positions it takes (fewer than n_tokens for M-RoPE models)
    const llama_token * tokens;  // text chunks: n_tokens tokens (owned by the prompt)
    const char * id;             // image chunks: a hash of the image bytes (owned by the prompt)
};

/**
 * Checks, decodes and tokenizes `text` (one marker per image) with special tokens added (the
 * whole prompt, from position 0). Sets r->n_tokens and r->n_image_tokens. NULL with r->error set
 * on bad input (marker count, format, size, corrupt image, a prompt that ends with an image).
 */
tollama_mtmd_prompt * tollama_mtmd_prompt_tokenize(mtmd_context * mctx, const char * text,
                                                   const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                                   struct tollama_mtmd_result * r);
size_t tollama_mtmd_prompt_chunks(const tollama_mtmd_prompt * p);
void tollama_mtmd_prompt_chunk(const tollama_mtmd_prompt * p, size_t i, struct tollama_mtmd_chunk_info * out);
/**
 * Evaluates the prompt into sequence `seq_id`, skipping its first `skip_pos` positions (already in
 * the sequence: it must not end inside an image), and holds the last token back (*held_token, at
 * position r->new_n_past). Returns 0, or non-zero with r->error set (the sequence from skip_pos on
 * is then undefined).
 */
int tollama_mtmd_prompt_eval_hold_last(mtmd_context * mctx, llama_context * lctx, const tollama_mtmd_prompt * p,
                                       int32_t skip_pos, int32_t seq_id, int32_t n_batch, struct tollama_mtmd_result * r,
                                       llama_token * held_token);
void tollama_mtmd_prompt_free(tollama_mtmd_prompt * p);

#ifdef __cplusplus
}
#endif
