// The scan of a JSON string's characters for the bytes that end it or need
// a closer look (a double quote, a backslash, a control character), 32 bytes
// at a time with AVX2: a base64 tensor's text is crossed at memory speed.
#include <stddef.h>
#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "CKernels.h"

static size_t stop_scalar(const uint8_t *text, size_t from, size_t n) {
    for (size_t i = from; i < n; i++) {
        if (text[i] == '"' || text[i] == '\\' || text[i] < 0x20) return i;
    }
    return n;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static size_t stop_avx2(const uint8_t *text, size_t n) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i below = _mm256_set1_epi8(0x1F);
    size_t i = 0;
    for (; n - i >= 32; i += 32) {
        const __m256i in = _mm256_loadu_si256((const __m256i *)(text + i));
        // x <= 0x1F (unsigned) exactly when max(x, 0x1F) == 0x1F.
        const __m256i control = _mm256_cmpeq_epi8(_mm256_max_epu8(in, below), below);
        const __m256i hits = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(in, quote),
                                                             _mm256_cmpeq_epi8(in, backslash)),
                                             control);
        const unsigned mask = (unsigned)_mm256_movemask_epi8(hits);
        if (mask != 0) return i + (size_t)__builtin_ctz(mask);
    }
    return stop_scalar(text, i, n);
}
#endif

size_t bpk_json_string_stop(const uint8_t *text, size_t n) {
#if defined(__x86_64__)
    // The thread's kernel path: AVX2 and AVX-512 imply the CPU has AVX2.
    if (bpk_kernels_current_path() >= bpk_path_avx2) return stop_avx2(text, n);
#endif
    return stop_scalar(text, 0, n);
}
