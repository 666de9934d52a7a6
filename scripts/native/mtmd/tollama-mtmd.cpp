// See tollama-mtmd.h.
#include "tollama-mtmd.h"
#include "mtmd-helper.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static uint32_t be32(const unsigned char * p) { return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]; }
static uint32_t le16(const unsigned char * p) { return (uint32_t) p[0] | (uint32_t) p[1] << 8; }
static int32_t  le32s(const unsigned char * p) { return (int32_t) ((uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24); }

extern "C" int tollama_image_dims(const unsigned char * b, size_t n, uint32_t * w, uint32_t * h) {
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (n >= 8 && memcmp(b, png, 8) == 0) {
        if (n < 24) return 2;
        *w = be32(b + 16); *h = be32(b + 20);
        return 0;
    }
    if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) {
        if (n < 10) return 2;
        *w = le16(b + 6); *h = le16(b + 8);
        return 0;
    }
    if (n >= 2 && b[0] == 'B' && b[1] == 'M') {
        if (n < 26) return 2;
        int32_t x = le32s(b + 18), y = le32s(b + 22);
        *w = (uint32_t) (x < 0 ? -x : x); *h = (uint32_t) (y < 0 ? -y : y);
        return 0;
    }
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
        // Walk the JPEG segments to the first start-of-frame marker.
        size_t p = 2;
        while (p + 4 <= n) {
            if (b[p] != 0xff) return 2;
            unsigned char m = b[p + 1];
            if (m == 0xff) { p++; continue; }
            if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) { p += 2; continue; }
            size_t seg = ((size_t) b[p + 2] << 8) | b[p + 3];
            bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
            if (sof) {
                if (p + 9 > n) return 2;
                *h = ((uint32_t) b[p + 5] << 8) | b[p + 6];
                *w = ((uint32_t) b[p + 7] << 8) | b[p + 8];
                return 0;
            }
            if (seg < 2) return 2;
            p += 2 + seg;
        }
        return 2;
    }
    return 1;
}

extern "C" mtmd_context * tollama_mtmd_init(const char * mmproj_path, const llama_model * model, int n_threads, char * error, size_t error_len) {
    mtmd_context_params p = mtmd_context_params_default();
    p.use_gpu = false;
    p.n_threads = n_threads > 0 ? n_threads : 1;
    p.print_timings = false;
    p.warmup = false;
    // The runtime picks a random marker per process (as Ollama does for llama-server), so that a
    // prompt's own text cannot pass for an image's place.
    const char * marker = getenv("TOLLAMA_MTMD_MARKER");
    if (marker != nullptr && marker[0] != '\0') p.media_marker = marker;
    mtmd_context * ctx = mtmd_init_from_file(mmproj_path, model, p);
    if (!ctx && error && error_len) snprintf(error, error_len, "cannot load the projector (is it made for this model? its output width must equal the model's embedding width)");
    return ctx;
}

extern "C" void tollama_mtmd_free(mtmd_context * mctx) {
    if (mctx) mtmd_free(mctx);
}

static int fail(tollama_mtmd_result * r, const std::string & msg, int code) {
    snprintf(r->error, sizeof(r->error), "%s", msg.c_str());
    return code;
}

// Checks and tokenizes; on success r->n_tokens / n_image_tokens are set and the chunks returned.
static mtmd_input_chunks * tokenize_impl(mtmd_context * mctx, const char * text,
                                         const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                         bool add_special, tollama_mtmd_result * r) {
    memset(r, 0, sizeof(*r));
    {
        // libmtmd's own answer to a count mismatch is a generic preprocessing error: check first.
        const std::string t(text), marker(mtmd_get_marker(mctx));
        size_t markers = 0;
        for (size_t p = t.find(marker); p != std::string::npos; p = t.find(marker, p + marker.size())) markers++;
        if (markers != n_images) {
            fail(r, "the number of images (" + std::to_string(n_images) + ") does not match the number of image markers in the prompt (" + std::to_string(markers) + ")", 1);
            return nullptr;
        }
    }
    std::vector<mtmd_bitmap *> bitmaps;
    auto free_all = [&]() { for (auto * b : bitmaps) mtmd_bitmap_free(b); };
    for (size_t i = 0; i < n_images; i++) {
        uint32_t w = 0, h = 0;
        int d = tollama_image_dims(images[i], image_lens[i], &w, &h);
        if (d == 1) { free_all(); fail(r, "image " + std::to_string(i + 1) + ": unsupported image format (PNG, JPEG, GIF and BMP are)", 1); return nullptr; }
        if (d == 2 || w == 0 || h == 0) { free_all(); fail(r, "image " + std::to_string(i + 1) + ": truncated or corrupt image", 1); return nullptr; }
        if ((uint64_t) w * h > TOLLAMA_MTMD_MAX_PIXELS) {
            free_all();
            fail(r, "image " + std::to_string(i + 1) + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels is too large", 1);
            return nullptr;
        }
        auto wrapped = mtmd_helper_bitmap_init_from_buf(mctx, images[i], image_lens[i], false, mtmd_helper_init_opt_default());
        if (!wrapped.bitmap) { free_all(); fail(r, "image " + std::to_string(i + 1) + ": truncated or corrupt image", 1); return nullptr; }
        bitmaps.push_back(wrapped.bitmap);
    }
    mtmd_input_text in = { text, strlen(text), add_special, /*parse_special*/ true };
    mtmd_input_chunks * chunks = mtmd_input_chunks_init();
    int32_t t = mtmd_tokenize(mctx, chunks, &in, (const mtmd_bitmap **) bitmaps.data(), bitmaps.size());
    free_all();
    if (t != 0) {
        mtmd_input_chunks_free(chunks);
        fail(r, "image preprocessing failed (code " + std::to_string(t) + ")", 1);
        return nullptr;
    }
    size_t n = mtmd_input_chunks_size(chunks);
    if (n == 0 || mtmd_input_chunk_get_type(mtmd_input_chunks_get(chunks, n - 1)) != MTMD_INPUT_CHUNK_TYPE_TEXT) {
        mtmd_input_chunks_free(chunks);
        fail(r, "the prompt must end with text after the last image", 1);
        return nullptr;
    }
    for (size_t i = 0; i < n; i++) {
        auto * c = mtmd_input_chunks_get(chunks, i);
        if (mtmd_input_chunk_get_type(c) == MTMD_INPUT_CHUNK_TYPE_IMAGE) r->n_image_tokens += (int32_t) mtmd_input_chunk_get_n_tokens(c);
    }
    r->n_tokens = (int32_t) mtmd_helper_get_n_tokens(chunks);
    return chunks;
}

// Decodes text tokens [from, to) at positions starting at *pos (no logits).
static int32_t decode_text(llama_context * lctx, const llama_token * toks, size_t from, size_t to, llama_pos * pos, int32_t seq_id, int32_t n_batch) {
    if (from >= to) return 0;
    const size_t step = (size_t) (n_batch > 0 ? n_batch : 512);
    llama_batch batch = llama_batch_init((int32_t) step, 0, 1);
    int32_t e = 0;
    for (size_t start = from; start < to && e == 0; start += step) {
        const size_t end = std::min(to, start + step);
        batch.n_tokens = 0;
        for (size_t k = start; k < end; k++) {
            const int j = batch.n_tokens++;
            batch.token[j] = toks[k];
            batch.pos[j] = (*pos)++;
            batch.n_seq_id[j] = 1;
            batch.seq_id[j][0] = seq_id;
            batch.logits[j] = false;
        }
        e = llama_decode(lctx, batch);
    }
    llama_batch_free(batch);
    return e;
}

// Every chunk from prompt position skip_pos on, the prompt's last token held back; positions are
// base + the prompt's own. Returns llama_decode's / libmtmd's code (0 = success).
static int32_t eval_hold_last(mtmd_context * mctx, llama_context * lctx, const mtmd_input_chunks * chunks, llama_pos base, int32_t skip_pos,
                              int32_t seq_id, int32_t n_batch, llama_pos * new_n_past, llama_token * held) {
    const size_t n = mtmd_input_chunks_size(chunks);
    llama_pos pos = 0;  // prompt position of the current chunk
    llama_pos at = base + skip_pos;
    int32_t e = 0;
    for (size_t i = 0; i < n && e == 0; i++) {
        const mtmd_input_chunk * c = mtmd_input_chunks_get(chunks, i);
        const bool last = i + 1 == n;
        if (mtmd_input_chunk_get_type(c) == MTMD_INPUT_CHUNK_TYPE_TEXT) {
            size_t n_text = 0;
            const llama_token * toks = mtmd_input_chunk_get_tokens_text(c, &n_text);
            if (last && n_text == 0) return -1;
            const size_t end = last ? n_text - 1 : n_text;
            const size_t from = pos >= skip_pos ? 0 : std::min(end, (size_t) (skip_pos - pos));
            e = decode_text(lctx, toks, from, end, &at, seq_id, n_batch);
            if (last && e == 0) *held = toks[n_text - 1];
            pos += (llama_pos) n_text;
        } else {
            const llama_pos np = mtmd_input_chunk_get_n_pos(c);
            if (pos < skip_pos && pos + np > skip_pos) return -3;  // the cached part ends inside an image
            if (pos >= skip_pos) {
                llama_pos after = at;
                e = mtmd_helper_eval_chunk_single(mctx, lctx, c, at, seq_id, n_batch, false, &after);
                at = after;
            }
            pos += np;
        }
    }
    *new_n_past = at;
    return e;
}

static int eval_impl(mtmd_context * mctx, llama_context * lctx, const char * text,
                     const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                     int32_t n_past, int32_t seq_id, int32_t n_batch, tollama_mtmd_result * r, llama_token * held) {
    const auto t0 = std::chrono::steady_clock::now();
    mtmd_input_chunks * chunks = tokenize_impl(mctx, text, images, image_lens, n_images, n_past == 0, r);
    if (!chunks) return 1;
    llama_pos new_n_past = n_past;
    int32_t e = 0;
    if (!held) e = mtmd_helper_eval_chunks(mctx, lctx, chunks, n_past, seq_id, n_batch, true, &new_n_past);
    else e = eval_hold_last(mctx, lctx, chunks, n_past, 0, seq_id, n_batch, &new_n_past, held);
    mtmd_input_chunks_free(chunks);
    if (e != 0) return fail(r, "evaluating the prompt failed (code " + std::to_string(e) + ")", 2);
    r->new_n_past = new_n_past;
    r->eval_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return 0;
}

struct tollama_mtmd_prompt {
    mtmd_input_chunks * chunks;
};

extern "C" tollama_mtmd_prompt * tollama_mtmd_prompt_tokenize(mtmd_context * mctx, const char * text,
                                                              const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                                              tollama_mtmd_result * r) {
    const auto t0 = std::chrono::steady_clock::now();
    mtmd_input_chunks * chunks = tokenize_impl(mctx, text, images, image_lens, n_images, true, r);
    if (!chunks) return nullptr;
    r->eval_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return new tollama_mtmd_prompt{chunks};
}

extern "C" size_t tollama_mtmd_prompt_chunks(const tollama_mtmd_prompt * p) {
    return p ? mtmd_input_chunks_size(p->chunks) : 0;
}

extern "C" void tollama_mtmd_prompt_chunk(const tollama_mtmd_prompt * p, size_t i, tollama_mtmd_chunk_info * out) {
    memset(out, 0, sizeof(*out));
    const mtmd_input_chunk * c = mtmd_input_chunks_get(p->chunks, i);
    const auto type = mtmd_input_chunk_get_type(c);
    if (type == MTMD_INPUT_CHUNK_TYPE_TEXT) {
        size_t n = 0;
        out->tokens = mtmd_input_chunk_get_tokens_text(c, &n);
        out->n_tokens = (int32_t) n;
        out->n_pos = (int32_t) n;
        return;
    }
    out->type = type == MTMD_INPUT_CHUNK_TYPE_IMAGE ? 1 : 2;
    out->n_tokens = (int32_t) mtmd_input_chunk_get_n_tokens(c);
    out->n_pos = (int32_t) mtmd_input_chunk_get_n_pos(c);
    out->id = mtmd_input_chunk_get_id(c);
}

extern "C" int tollama_mtmd_prompt_eval_hold_last(mtmd_context * mctx, llama_context * lctx, const tollama_mtmd_prompt * p,
                                                  int32_t skip_pos, int32_t seq_id, int32_t n_batch, tollama_mtmd_result * r,
                                                  llama_token * held_token) {
    const auto t0 = std::chrono::steady_clock::now();
    const int32_t n_tokens = r->n_tokens, n_image_tokens = r->n_image_tokens;
    memset(r, 0, sizeof(*r));
    r->n_tokens = n_tokens;
    r->n_image_tokens = n_image_tokens;
    llama_pos new_n_past = 0;
    const int32_t e = eval_hold_last(mctx, lctx, p->chunks, 0, skip_pos, seq_id, n_batch, &new_n_past, held_token);
    if (e == -3) return fail(r, "the cached part of the sequence ends inside an image", 1);
    if (e != 0) return fail(r, "evaluating the prompt failed (code " + std::to_string(e) + ")", 2);
    r->new_n_past = new_n_past;
    r->eval_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return 0;
}

extern "C" void tollama_mtmd_prompt_free(tollama_mtmd_prompt * p) {
    if (!p) return;
    mtmd_input_chunks_free(p->chunks);
    delete p;
}

extern "C" int tollama_mtmd_eval(mtmd_context * mctx, llama_context * lctx, const char * text,
                                 const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                 int32_t n_past, int32_t seq_id, int32_t n_batch, tollama_mtmd_result * r) {
    return eval_impl(mctx, lctx, text, images, image_lens, n_images, n_past, seq_id, n_batch, r, nullptr);
}

extern "C" int tollama_mtmd_eval_hold_last(mtmd_context * mctx, llama_context * lctx, const char * text,
                                           const unsigned char * const * images, const size_t * image_lens, size_t n_images,
                                           int32_t n_past, int32_t seq_id, int32_t n_batch, tollama_mtmd_result * r,
                                           llama_token * held_token) {
    return eval_impl(mctx, lctx, text, images, image_lens, n_images, n_past, seq_id, n_batch, r, held_token);
}
