#define _GNU_SOURCE
#include "CBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*dgemv_fn)(int, int, int, int, double, const double *, int, const double *, int,
                         double, double *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*corename_fn)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_status = -1;
static char load_error[512];
static const char *library_name;
static const char *chosen_core_type;
static sgemm_fn p_sgemm;
static dgemm_fn p_dgemm;
static sgemv_fn p_sgemv;
static dgemv_fn p_dgemv;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static corename_fn p_corename;

// The newest OpenBLAS kernel family this CPU can run, judged from its feature
// flags rather than its model number, so processors newer than the library's
// table still get vector kernels.
static const char *core_type_for_this_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

static void load(void) {
    static const char *candidates[] = {"libopenblas.so.0", "libopenblas.so", "libblas.so.3"};
    const char *user_choice = getenv("OPENBLAS_CORETYPE");
    if (user_choice == NULL || user_choice[0] == '\0') {
        chosen_core_type = core_type_for_this_cpu();
        if (chosen_core_type) setenv("OPENBLAS_CORETYPE", chosen_core_type, 1);
    }
    void *handle = NULL;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !handle; i++) {
        handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (handle) library_name = candidates[i];
    }
    if (!handle) {
        snprintf(load_error, sizeof load_error,
                 "no BLAS library found (tried libopenblas.so.0 and libblas.so.3): %s; "
                 "install one with 'apt-get install libopenblas0'",
                 dlerror());
        return;
    }
    p_sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    p_dgemm = (dgemm_fn)dlsym(handle, "cblas_dgemm");
    p_sgemv = (sgemv_fn)dlsym(handle, "cblas_sgemv");
    p_dgemv = (dgemv_fn)dlsym(handle, "cblas_dgemv");
    p_set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    p_corename = (corename_fn)dlsym(handle, "openblas_get_corename");
    if (!p_sgemm || !p_dgemm || !p_sgemv || !p_dgemv) {
        snprintf(load_error, sizeof load_error,
                 "%s does not provide the CBLAS interface (cblas_sgemm); "
                 "install OpenBLAS with 'apt-get install libopenblas0'",
                 library_name);
        return;
    }
    load_status = 0;
}

int bpk_blas_load(void) {
    pthread_once(&load_once, load);
    return load_status;
}

const char *bpk_blas_error(void) { return load_status == 0 ? NULL : load_error; }
const char *bpk_blas_library(void) { return library_name ? library_name : "none"; }
const char *bpk_blas_chosen_core_type(void) { return chosen_core_type; }

const char *bpk_blas_core_name(void) {
    if (bpk_blas_load() != 0 || !p_corename) return "unknown";
    return p_corename();
}

int bpk_blas_set_threads(int threads) {
    if (bpk_blas_load() != 0) return 0;
    if (p_set_threads) p_set_threads(threads);
    return p_get_threads ? p_get_threads() : 1;
}

void bpk_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    p_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void bpk_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha,
               const double *a, int lda, const double *b, int ldb, double beta, double *c,
               int ldc) {
    p_dgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void bpk_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
               const float *x, int incx, float beta, float *y, int incy) {
    p_sgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void bpk_dgemv(int order, int trans, int m, int n, double alpha, const double *a, int lda,
               const double *x, int incx, double beta, double *y, int incy) {
    p_dgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
