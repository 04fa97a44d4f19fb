// The AVX-512 path for Double: 8 outputs per vector, a 12×16 tile in 24
// registers, masked loads and stores for the last outputs of a row. Each
// output's chain is the one of the float kernels (kernel_avx512.c).
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels_internal.h"

#define TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

enum { MR = 12, NR = 16 };

// R rows (a constant in each instance below) of a tile: A read where it lies
// (A(i,p) = a[i·rsa + p·csa]), B from a packed panel [kc][16].
TARGET static inline __attribute__((always_inline)) void micro_rows(
    const int R, int kc, const double *a, long rsa, long csa, const double *bp, double *c, int ldc,
    int load) {
    __m512d acc[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? _mm512_loadu_pd(c + r * ldc) : _mm512_setzero_pd();
        acc[r][1] = load ? _mm512_loadu_pd(c + r * ldc + 8) : _mm512_setzero_pd();
    }
    for (int p = 0; p < kc; p++) {
        __m512d b0 = _mm512_loadu_pd(bp + p * NR);
        __m512d b1 = _mm512_loadu_pd(bp + p * NR + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            __m512d x = _mm512_set1_pd(a[r * rsa + p * csa]);
            acc[r][0] = _mm512_fmadd_pd(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_pd(x, b1, acc[r][1]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm512_storeu_pd(c + r * ldc, acc[r][0]);
        _mm512_storeu_pd(c + r * ldc + 8, acc[r][1]);
    }
}

#define MICRO_CASE(R)                                                                         \
    case R:                                                                                   \
        micro_rows(R, kc, a, rsa, csa, bp, c, ldc, load);                                     \
        break;

TARGET static void micro(int rows, int kc, const double *a, long rsa, long csa, const double *bp,
                         double *c, int ldc, int load) {
    switch (rows) {
        MICRO_CASE(1) MICRO_CASE(2) MICRO_CASE(3) MICRO_CASE(4) MICRO_CASE(5) MICRO_CASE(6)
        MICRO_CASE(7) MICRO_CASE(8) MICRO_CASE(9) MICRO_CASE(10) MICRO_CASE(11) MICRO_CASE(12)
    }
}

// One row of outputs: 128, 64 or 32 at a time (each row of B read once, front to back,
// into up to 16 registers), then 8 under a mask.
#define ROW_BLOCK(WIDTH)                                                                       \
    for (; j + 8 * (WIDTH) <= n; j += 8 * (WIDTH)) {                                            \
        __m512d acc[WIDTH];                                                                     \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =           \
            load ? _mm512_loadu_pd(c + j + 8 * v) : _mm512_setzero_pd();                        \
        for (int p = 0; p < k; p++) {                                                           \
            __m512d x = _mm512_set1_pd(a[(long)p * csa]);                                       \
            const double *bk = b + (long)p * ldb + j;                                           \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++) acc[v] =       \
                _mm512_fmadd_pd(x, _mm512_loadu_pd(bk + 8 * v), acc[v]);                        \
        }                                                                                       \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < (WIDTH); v++)                    \
            _mm512_storeu_pd(c + j + 8 * v, acc[v]);                                            \
    }

TARGET static void row(int n, int k, const double *a, int csa, const double *b, int ldb, double *c,
                       int load) {
    int j = 0;
    ROW_BLOCK(16)
    ROW_BLOCK(8)
    ROW_BLOCK(4)
    for (; j < n; j += 8) {
        int left = n - j;
        __mmask8 mask = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
        __m512d acc = load ? _mm512_maskz_loadu_pd(mask, c + j) : _mm512_setzero_pd();
        for (int p = 0; p < k; p++)
            acc = _mm512_fmadd_pd(_mm512_set1_pd(a[(long)p * csa]),
                                  _mm512_maskz_loadu_pd(mask, b + (long)p * ldb + j), acc);
        _mm512_mask_storeu_pd(c + j, mask, acc);
    }
}

const bpk_dgemm_kernel bpk_avx512_dkernel = {MR, NR, micro, row};
#endif
