// Test harness for scripts/native/mtmd/tollama-mtmd.cpp: loads a text model and a projector with
// llama.cpp's C API and libmtmd (CPU, 1 thread), evaluates a prompt with images through the
// bridge, then decodes greedily. Prints one JSON line.
//   harness LIBDIR MODEL MMPROJ PROMPT N_PREDICT [IMAGE...]   (PROMPT: "<__media__>" per image)
//   harness --dims IMAGE
#include "tollama-mtmd.h"
#include "mtmd-helper.h"
#include "ggml-backend.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

static std::vector<unsigned char> slurp(const char * path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(f), {});
}

static std::string json_str(const std::string & s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') { o += '\\'; o += (char) c; }
        else if (c < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); o += b; }
        else o += (char) c;
    }
    return o + "\"";
}

int main(int argc, char ** argv) {
    if (argc == 3 && std::string(argv[1]) == "--dims") {
        auto b = slurp(argv[2]);
        uint32_t w = 0, h = 0;
        int r = tollama_image_dims(b.data(), b.size(), &w, &h);
        printf("{\"status\":%d,\"width\":%u,\"height\":%u}\n", r, w, h);
        return 0;
    }
    if (argc < 6) { fprintf(stderr, "usage: harness LIBDIR MODEL MMPROJ PROMPT N_PREDICT [IMAGE...]\n"); return 2; }
    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    mtmd_helper_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    ggml_backend_load_all_from_path(argv[1]);
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(argv[2], mp);
    if (!model) { printf("{\"error\":\"model\"}\n"); return 1; }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 512; cp.n_batch = 512; cp.n_threads = 1; cp.n_threads_batch = 1;
    llama_context * lctx = llama_init_from_model(model, cp);
    char err[256] = "";
    mtmd_context * mctx = tollama_mtmd_init(argv[3], model, 1, err, sizeof err);
    if (!mctx) { printf("{\"rc\":3,\"error\":%s}\n", json_str(err).c_str()); return 0; }
    std::vector<std::vector<unsigned char>> imgs;
    for (int i = 6; i < argc; i++) imgs.push_back(slurp(argv[i]));
    std::vector<const unsigned char *> ptrs;
    std::vector<size_t> lens;
    for (auto & v : imgs) { ptrs.push_back(v.data()); lens.push_back(v.size()); }
    tollama_mtmd_result r;
    // TOLLAMA_HOLD_LAST=1: the bridge leaves the last prompt token to the caller, as the addon will.
    const bool hold = getenv("TOLLAMA_HOLD_LAST") != nullptr;
    llama_token held = -1;
    int rc = hold ? tollama_mtmd_eval_hold_last(mctx, lctx, argv[4], ptrs.data(), lens.data(), ptrs.size(), 0, 0, 512, &r, &held)
                  : tollama_mtmd_eval(mctx, lctx, argv[4], ptrs.data(), lens.data(), ptrs.size(), 0, 0, 512, &r);
    if (rc != 0) { printf("{\"rc\":%d,\"error\":%s}\n", rc, json_str(r.error).c_str()); return 0; }
    if (hold) {
        llama_batch b = llama_batch_get_one(&held, 1);
        if (llama_decode(lctx, b) != 0) { printf("{\"rc\":4,\"error\":\"held token\"}\n"); return 0; }
    }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    llama_sampler * smpl = llama_sampler_init_greedy();
    std::string text;
    llama_pos pos = r.new_n_past;
    for (int i = 0; i < atoi(argv[5]); i++) {
        llama_token t = llama_sampler_sample(smpl, lctx, -1);
        if (llama_vocab_is_eog(vocab, t)) break;
        char buf[256];
        int n = llama_token_to_piece(vocab, t, buf, sizeof buf, 0, true);
        if (n > 0) text.append(buf, n);
        llama_batch b = llama_batch_get_one(&t, 1);
        (void) pos;
        if (llama_decode(lctx, b) != 0) break;
        pos++;
    }
    printf("{\"rc\":0,\"n_tokens\":%d,\"n_image_tokens\":%d,\"new_n_past\":%d,\"text\":%s}\n", r.n_tokens, r.n_image_tokens, r.new_n_past, json_str(text).c_str());
    llama_sampler_free(smpl);
    tollama_mtmd_free(mctx);
    llama_free(lctx);
    llama_model_free(model);
    return 0;
}
