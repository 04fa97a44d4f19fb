// Internal interface between the product driver and the per-path kernels.
#ifndef BPKIT_KERNELS_INTERNAL_H
#define BPKIT_KERNELS_INTERNAL_H

// No contraction of a·b + c into a fused multiply-add behind our back: every
// fused operation in these files is written out, so all paths round alike.
#pragma STDC FP_CONTRACT OFF

/// One path's kernels. `micro` computes `rows` (1 to mr) rows of an mr×nr
/// tile of C from kc steps of A where it lies (A(i,p) = a[i·rsa + p·csa])
/// and of packed B ([kc][nr]), starting from the tile of C when `load` is set
/// and from +0 otherwise. `row` computes one row of C
/// (n outputs) straight from an unpacked, untransposed B, for products of a
/// few rows where packing would cost more than it saves; it starts each
/// output from `bias` when that is given (then `load` is ignored), and ends
/// with C = max(C, 0) (NaN to +0, as `c > 0 ? c : 0`) when `relu` is set, so
/// that one sample's dense layer is one pass over its outputs. Neither
/// changes an output's chain. `direct`, when a
/// path has it, computes a block of up to mr rows and nr outputs from
/// unpacked A (A(i,p) = a[i·rsa + p·csa]) and untransposed B, for products
/// small enough that packing would dominate.
typedef struct {
    int mr;
    int nr;
    void (*micro)(int rows, int kc, const float *a, long rsa, long csa, const float *bp, float *c,
                  int ldc, int load);
    void (*row)(int n, int k, const float *a, int csa, const float *b, int ldb, const float *bias, int relu,
                float *c, int load);
    void (*direct)(int rows, int cols, int k, const float *a, long rsa, long csa, const float *b,
                   long ldb, float *c, int ldc, int load);
} bpk_sgemm_kernel;

extern const bpk_sgemm_kernel bpk_portable_kernel;
#if defined(__x86_64__)
extern const bpk_sgemm_kernel bpk_avx2_kernel;
extern const bpk_sgemm_kernel bpk_avx512_kernel;
#endif

/// One path's Double kernels, as bpk_sgemm_kernel's `micro` and `row` (B
/// packed as [kc][nr] panels of doubles).
typedef struct {
    int mr;
    int nr;
    void (*micro)(int rows, int kc, const double *a, long rsa, long csa, const double *bp, double *c,
                  int ldc, int load);
    void (*row)(int n, int k, const double *a, int csa, const double *b, int ldb, double *c, int load);
} bpk_dgemm_kernel;

extern const bpk_dgemm_kernel bpk_portable_dkernel;
#if defined(__x86_64__)
extern const bpk_dgemm_kernel bpk_avx2_dkernel;
extern const bpk_dgemm_kernel bpk_avx512_dkernel;
#endif

#endif
