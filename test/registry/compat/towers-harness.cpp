// Test harness for projector files built from embedded vision towers (towers.test.ts): loads a
// text model and a projector with llama.cpp's C API and libmtmd (CPU, 1 thread), encodes one
// image, prints the image embeddings' bytes as hex, then evaluates "<marker> describe" and
// decodes greedily. Prints one JSON line. Unlike llama-mtmd-cli, whose asynchronous logger can
// exit before the generated text is printed, the output here is complete and synchronous.
//   towers-harness LIBDIR MODEL MMPROJ N_PREDICT IMAGE
#include "mtmd.h"
#include "mtmd-helper.h"
#include "llama.h"
#include "ggml-backend.h"

#include <cstdio>
#include <cstdlib>
#include <string>

static std::string json_str(const std::string & s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') { o += '\\'; o += (char) c; }
        else if (c < 0x20 || c >= 0x80) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); o += b; }
        else o += (char) c;
    }
    return o + "\"";
}

int main(int argc, char ** argv) {
    if (argc != 6) { fprintf(stderr, "usage: towers-harness LIBDIR MODEL MMPROJ N_PREDICT IMAGE\n"); return 2; }
    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    mtmd_helper_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    ggml_backend_load_all_from_path(argv[1]);
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(argv[2], mp);
    if (!model) { printf("{\"error\":\"text model did not load\"}\n"); return 1; }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 512; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = 1; cp.n_threads_batch = 1;
    llama_context * lctx = llama_init_from_model(model, cp);
    mtmd_context_params mparams = mtmd_context_params_default();
    mparams.use_gpu = false;
    mparams.n_threads = 1;
    mparams.print_timings = false;
    mparams.warmup = false;
    mtmd_context * mctx = mtmd_init_from_file(argv[3], model, mparams);
    if (!mctx) { printf("{\"error\":\"projector did not load\"}\n"); return 1; }
    mtmd_helper_bitmap_wrapper img = mtmd_helper_bitmap_init_from_file(mctx, argv[5], false, mtmd_helper_init_opt_default());
    if (!img.bitmap) { printf("{\"error\":\"image did not load\"}\n"); return 1; }
    std::string prompt = std::string(mtmd_default_marker()) + " describe";
    mtmd_input_text text = { prompt.c_str(), prompt.size(), true, true };
    mtmd_input_chunks * chunks = mtmd_input_chunks_init();
    const mtmd_bitmap * bitmaps[] = { img.bitmap };
    if (mtmd_tokenize(mctx, chunks, &text, bitmaps, 1) != 0) { printf("{\"error\":\"tokenize\"}\n"); return 1; }
    // The image chunk's embeddings.
    std::string embd_hex;
    size_t n_image_tokens = 0;
    for (size_t i = 0; i < mtmd_input_chunks_size(chunks); i++) {
        const mtmd_input_chunk * c = mtmd_input_chunks_get(chunks, i);
        if (mtmd_input_chunk_get_type(c) != MTMD_INPUT_CHUNK_TYPE_IMAGE) continue;
        if (mtmd_encode_chunk(mctx, c) != 0) { printf("{\"error\":\"encode\"}\n"); return 1; }
        n_image_tokens = mtmd_input_chunk_get_n_tokens(c);
        const size_t n = n_image_tokens * llama_model_n_embd_inp(model) * sizeof(float);
        const unsigned char * p = (const unsigned char *) mtmd_get_output_embd(mctx);
        static const char * hex = "0123456789abcdef";
        for (size_t k = 0; k < n; k++) { embd_hex += hex[p[k] >> 4]; embd_hex += hex[p[k] & 15]; }
    }
    llama_pos n_past = 0;
    if (mtmd_helper_eval_chunks(mctx, lctx, chunks, 0, 0, 512, true, &n_past) != 0) { printf("{\"error\":\"eval\"}\n"); return 1; }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    llama_sampler * smpl = llama_sampler_init_greedy();
    std::string tokens;
    for (int i = 0; i < atoi(argv[4]); i++) {
        llama_token t = llama_sampler_sample(smpl, lctx, -1);
        tokens += (tokens.empty() ? "" : ",") + std::to_string(t);
        if (llama_vocab_is_eog(vocab, t)) break;
        llama_batch b = llama_batch_get_one(&t, 1);
        if (llama_decode(lctx, b) != 0) break;
    }
    printf("{\"n_image_tokens\":%zu,\"embd\":%s,\"tokens\":[%s]}\n", n_image_tokens, json_str(embd_hex).c_str(), tokens.c_str());
    llama_sampler_free(smpl);
    mtmd_input_chunks_free(chunks);
    mtmd_bitmap_free(img.bitmap);
    mtmd_free(mctx);
    llama_free(lctx);
    llama_model_free(model);
    return 0;
}
