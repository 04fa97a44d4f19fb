// The portable path for Double: scalar fused multiply-adds from the C
// library (correctly rounded, as the vector ones are), for any CPU.
#include <math.h>

#include "kernels_internal.h"

enum { MR = 4, NR = 8 };

static void micro(int rows, int kc, const double *a, long rsa, long csa, const double *bp,
                  double *c, int ldc, int load) {
    double acc[MR][NR];
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) acc[r][j] = load ? c[r * ldc + j] : 0.0;
    for (int p = 0; p < kc; p++) {
        const double *b = bp + p * NR;
        for (int r = 0; r < rows; r++) {
            double x = a[r * rsa + p * csa];
            for (int j = 0; j < NR; j++) acc[r][j] = fma(x, b[j], acc[r][j]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) c[r * ldc + j] = acc[r][j];
}

static void row(int n, int k, const double *a, int csa, const double *b, int ldb, double *c,
                int load) {
    for (int j = 0; j < n; j++) {
        double acc = load ? c[j] : 0.0;
        for (int p = 0; p < k; p++) acc = fma(a[(long)p * csa], b[(long)p * ldb + j], acc);
        c[j] = acc;
    }
}

const bpk_dgemm_kernel bpk_portable_dkernel = {MR, NR, micro, row};
