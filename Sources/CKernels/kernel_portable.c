// The portable path: scalar fused multiply-adds from the C library, for any
// CPU. On x86-64 without -mfma, fmaf is glibc's correctly rounded one, so
// this path matches the vector ones bit for bit (slowly); on arm64 it is one
// instruction.
#include <math.h>

#include "kernels_internal.h"

enum { MR = 4, NR = 8 };

static void micro(int rows, int kc, const float *a, long rsa, long csa, const float *bp, float *c,
                  int ldc, int load) {
    float acc[MR][NR];
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) acc[r][j] = load ? c[r * ldc + j] : 0.0f;
    for (int p = 0; p < kc; p++) {
        const float *b = bp + p * NR;
        for (int r = 0; r < rows; r++) {
            float x = a[r * rsa + p * csa];
            for (int j = 0; j < NR; j++) acc[r][j] = fmaf(x, b[j], acc[r][j]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) c[r * ldc + j] = acc[r][j];
}

static void row(int n, int k, const float *a, int csa, const float *b, int ldb, const float *bias, int relu,
                float *c, int load) {
    for (int j = 0; j < n; j++) {
        float acc = bias ? bias[j] : load ? c[j] : 0.0f;
        for (int p = 0; p < k; p++) acc = fmaf(a[(long)p * csa], b[(long)p * ldb + j], acc);
        c[j] = relu ? (acc > 0 ? acc : 0.0f) : acc;
    }
}

const bpk_sgemm_kernel bpk_portable_kernel = {MR, NR, micro, row, 0};
