// bpkit's own matrix kernels: products whose every output element is one
// fixed chain of fused multiply-adds, whatever the CPU, the batch or the
// number of threads.
//
// C[i][j] = (accumulate ? C[i][j] : +0) then, for k = 0, 1, …, K−1 in order,
// C[i][j] = fma(A(i,k), B(k,j), C[i][j]), one rounding per step. Vectors run
// across j (outputs), never across k; blocking over k stores the partial
// chain in C and reloads it unchanged. The AVX-512, AVX2+FMA and portable
// paths differ only in how many outputs they advance at once, so their
// results are bitwise equal, and so are those of any split of the rows or
// columns over threads.
#ifndef BPKIT_CKERNELS_H
#define BPKIT_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// The kernel paths. 0 is "not chosen".
enum bpk_kernel_path {
    bpk_path_portable = 1,
    bpk_path_avx2 = 2,
    bpk_path_avx512 = 3,
};

/// The fastest path this CPU can run.
int bpk_kernels_best_path(void);

/// Whether this CPU can run `path`.
int bpk_kernels_supports(int path);

/// The process-wide path: BPKIT_KERNELS when set to a usable path at the
/// first call, otherwise the best one.
int bpk_kernels_path(void);

/// The value of BPKIT_KERNELS read at start-up when it names no path this CPU
/// runs (so the library can refuse it), or NULL.
const char *bpk_kernels_rejected_environment(void);

/// Sets the process-wide path; returns 0, or −1 when the CPU lacks it.
int bpk_kernels_set_path(int path);

/// Sets the path for products started on the calling thread (0 clears it and
/// follows the process-wide path again); returns 0, or −1 when the CPU lacks it.
int bpk_kernels_set_thread_path(int path);

/// The path products started on the calling thread use.
int bpk_kernels_current_path(void);

/// The number of threads one product may use (1 or more).
int bpk_kernels_threads(void);

/// Sets the number of threads one product may use; returns the number in effect.
int bpk_kernels_set_threads(int threads);

/// Sets the number of threads for products started on the calling thread (0
/// clears it and follows the process-wide number again); returns the
/// calling thread's previous setting.
int bpk_kernels_set_thread_threads(int threads);

/// The number of threads products started on the calling thread may use.
int bpk_kernels_current_threads(void);

/// The number of multiply-adds below which a product runs on one thread:
/// BPKIT_KERNELS_SPLIT_MIN when set to a positive number at the first call
/// (tests set 1 to split every product), otherwise 2²⁰.
long bpk_kernels_split_minimum(void);

/// The number of processors this process may run on.
int bpk_kernels_available_processors(void);

/// Runs fn(ctx, 0..tasks−1) on up to `threads` threads of the products'
/// pool, the caller among them, and returns when all are done; each task runs
/// whole on one thread. Falls back to the caller alone while another call
/// holds the workers. Products started inside a task run on its thread.
void bpk_parallel_run(int tasks, int threads, void (*fn)(void *ctx, int index), void *ctx);

/// Row-major C[m×n] = (accumulate ? C : 0) + op(A)·op(B) in the fixed order
/// above. op(A) is m×k: A is [m, lda] or, transposed, [k, lda]. op(B) is k×n:
/// B is [k, ldb] or, transposed, [n, ldb].
void bpk_sgemm(int transA, int transB, int m, int n, int k, const float *a, int lda, const float *b,
               int ldb, int accumulate, float *c, int ldc);

/// The number of floats an untransposed k×n B takes packed for the products
/// of `path`, or 0 when that path reads such a B where it lies.
long bpk_sgemm_packed_b_count(int path, int n, int k);

/// Packs B (k×n, row-major, leading dimension ldb) for the products of
/// `path` into `packed` (room for bpk_sgemm_packed_b_count floats), so that
/// products by the same B, a model's weights, skip packing it on every call.
void bpk_sgemm_pack_b(int path, int n, int k, const float *b, int ldb, float *packed);

/// bpk_sgemm with op(B) = B, given also as packed by bpk_sgemm_pack_b for
/// `packed_path` (or NULL). The packed copy is read when the calling
/// thread's path is `packed_path`, B otherwise; the numbers are the same.
void bpk_sgemm_prepacked(int transA, int m, int n, int k, const float *a, int lda, const float *b,
                         int ldb, const float *packed, int packed_path, int accumulate, float *c,
                         int ldc);

/// Runs fn(ctx, 0..tasks−1) on `tasks` threads of a small team kept apart
/// from the pool, the caller running task 0: for jobs of a few microseconds.
/// The team's workers spin for a while after each job, so that the next one
/// starts at once, then sleep; task t runs on worker t when it arrives in
/// time and on whoever comes first otherwise. Falls back to the caller alone
/// while another call holds the team, or for more than 16 tasks.
void bpk_team_run(int tasks, void (*fn)(void *ctx, int index), void *ctx);

/// The first column of part `part` of n columns cut into `parts` parts of
/// whole 16-column vectors (the last part shorter; trailing parts may be
/// empty); `part == parts` gives n.
int bpk_split_start(int n, int parts, int part);

/// Stores B (k×n, row-major, leading dimension ldb) as `parts` blocks, part t
/// holding its columns as a row-major [k][columns] block at k·start(t), for
/// bpk_sgemm_split_rows: n·k floats.
void bpk_split_pack(int n, int k, const float *b, int ldb, int parts, float *out);

/// C[m×n] = (bias ? each row the bias : accumulate ? C : 0) + A·B for a few
/// rows (A row-major [m, lda]), B stored by bpk_split_pack in `parts` parts,
/// one part per thread of the team, then C = max(C, 0) (NaN to 0) when
/// `relu` is set: the same numbers as a bias copy, bpk_sgemm and a separate
/// rectifier, each output's chain over k whole on one thread.
void bpk_sgemm_split_rows(int m, int n, int k, const float *a, int lda, const float *split_b, int parts,
                          const float *bias, int accumulate, int relu, float *c, int ldc);

/// Buffers of weights at least this large (256 KiB) are put in 2 MiB pages.
#define BPK_WEIGHTS_HUGE_MINIMUM (256L * 1024)

/// Zeroed room for `count` floats of weights that every call streams whole:
/// from BPK_WEIGHTS_HUGE_MINIMUM bytes on, whole 2 MiB pages aligned to
/// 2 MiB that Linux is asked to back with huge pages (contiguous in physical
/// memory, so that the weights fill a core's L2 cache without evicting each
/// other; the memory taken rounds up to 2 MiB); otherwise 64-byte aligned.
/// NULL when memory is short. Release with free().
float *bpk_weights_allocate(long count);

/// bpk_sgemm_split_rows with every part on the calling thread, one after
/// another, the last first when `reversed` is set: the same numbers.
void bpk_sgemm_split_rows_alone(int m, int n, int k, const float *a, int lda, const float *split_b,
                                int parts, const float *bias, int accumulate, int relu, float *c,
                                int ldc, int reversed);

/// bpk_sgemm for Double: the same fixed chain of fused multiply-adds per
/// output element, on the calling thread's path (AVX-512: 8 outputs per
/// vector, AVX2+FMA: 4, portable: 1) and split over its threads alike, so
/// every path, thread count and batch gives the same bits.
void bpk_dgemm(int transA, int transB, int m, int n, int k, const double *a, int lda,
               const double *b, int ldb, int accumulate, double *c, int ldc);

/// target[c * target_stride + r] = source[r * source_stride + c] for every
/// row r < rows and column c < columns of the source: a copy, in 32 × 32
/// tiles, each moved in 8 × 8 AVX blocks where the CPU has AVX.
void bpk_transpose_f32(const float *source, int rows, int columns, long source_stride, float *target,
                       long target_stride);

#ifdef __cplusplus
}
#endif

// Base64 and JSON string scanning (bpk_text.h), in the same module.
#include "bpk_text.h"

#endif
