// BLAS for bpkit, loaded at run time.
//
// Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH: it picks its kernels
// once, when the library is loaded, from a CPU table that does not know recent
// AVX-512 processors (AMD Zen 4 is taken for a 2004 "Prescott" and reaches a
// sixth of its speed). OpenBLAS honours the OPENBLAS_CORETYPE environment
// variable at that moment, and at no later one. So instead of linking it,
// bpkit loads it with dlopen after choosing a core type from the CPU's own
// feature flags; a value the user set is always kept.
#ifndef BPKIT_CBLAS_H
#define BPKIT_CBLAS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum bpk_blas_order { bpk_blas_row_major = 101 };
enum bpk_blas_transpose { bpk_blas_no_trans = 111, bpk_blas_trans = 112 };

/// Loads the BLAS library once (thread-safe). Returns 0 on success; on failure
/// a message for the user is available from bpk_blas_error().
int bpk_blas_load(void);

/// Why bpk_blas_load() failed, or NULL.
const char *bpk_blas_error(void);

/// The file name of the loaded library, e.g. "libopenblas.so.0".
const char *bpk_blas_library(void);

/// The kernel family the library chose (OpenBLAS' own name, e.g. "SkylakeX"),
/// or "unknown" for a BLAS that cannot tell.
const char *bpk_blas_core_name(void);

/// The OPENBLAS_CORETYPE bpkit chose, or NULL when it kept the user's value or
/// the CPU needed none.
const char *bpk_blas_chosen_core_type(void);

/// Sets the number of threads the BLAS uses (no effect on a BLAS without
/// threads). Returns the number in use afterwards.
int bpk_blas_set_threads(int threads);

void bpk_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void bpk_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha,
               const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);
void bpk_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
               const float *x, int incx, float beta, float *y, int incy);
void bpk_dgemv(int order, int trans, int m, int n, double alpha, const double *a, int lda,
               const double *x, int incx, double beta, double *y, int incy);

#ifdef __cplusplus
}
#endif

#endif
