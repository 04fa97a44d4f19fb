// Products of a few rows (one sample through a dense layer) split over
// threads by columns, each thread's columns of B stored apart so that every
// core streams its own part of the weights from its own cache. Each output is
// still the one row kernel's chain of fused multiply-adds over all of k.
#include <stddef.h>
#include <string.h>

#include "CKernels.h"
#include "kernels_internal.h"

const bpk_sgemm_kernel *bpk_kernel_for_path(int path);

// Parts hold whole vectors of 16 columns, except the last.
int bpk_split_start(int n, int parts, int part) {
    int per = ((n + parts - 1) / parts + 15) / 16 * 16;
    long start = (long)per * part;
    return start < n ? (int)start : n;
}

void bpk_split_pack(int n, int k, const float *b, int ldb, int parts, float *out) {
    for (int t = 0; t < parts; t++) {
        int start = bpk_split_start(n, parts, t);
        int cols = bpk_split_start(n, parts, t + 1) - start;
        float *part = out + (long)k * start;
        for (int p = 0; p < k && cols > 0; p++)
            memcpy(part + (long)p * cols, b + (long)p * ldb + start, sizeof(float) * cols);
    }
}

typedef struct {
    const bpk_sgemm_kernel *kernel;
    int m, n, k;
    const float *a;
    int lda;
    const float *split_b;
    int parts;
    const float *bias;
    int accumulate;
    int relu;
    float *c;
    int ldc;
} split_rows;

static void run_split_part(void *context, int part) {
    const split_rows *s = context;
    int start = bpk_split_start(s->n, s->parts, part);
    int cols = bpk_split_start(s->n, s->parts, part + 1) - start;
    if (cols <= 0) return;
    const float *b = s->split_b + (long)s->k * start;
    for (int i = 0; i < s->m; i++) {
        float *c = s->c + (long)i * s->ldc + start;
        // Each thread starts its own outputs from the bias and rectifies them,
        // so that no output crosses between cores before the next layer; the
        // row kernel does both in its one pass over the outputs.
        s->kernel->row(cols, s->k, s->a + (long)i * s->lda, 1, b, cols, s->bias ? s->bias + start : NULL, s->relu,
                       c, s->accumulate);
    }
}

void bpk_sgemm_split_rows(int m, int n, int k, const float *a, int lda, const float *split_b, int parts,
                          const float *bias, int accumulate, int relu, float *c, int ldc) {
    split_rows s = {
        .kernel = bpk_kernel_for_path(bpk_kernels_current_path()),
        .m = m, .n = n, .k = k, .a = a, .lda = lda,
        .split_b = split_b, .parts = parts, .bias = bias, .accumulate = accumulate, .relu = relu,
        .c = c, .ldc = ldc,
    };
    if (m <= 0 || n <= 0) return;
    bpk_team_run(parts, run_split_part, &s);
}

// The parts one after another on the calling thread, last to first when
// `reversed`: a caller that alternates the order from call to call reads
// first the part it read last, while the cache still holds it, instead of
// the part that has been longest out of use (which, with weights of nearly
// the cache's size, is the one evicted).
void bpk_sgemm_split_rows_alone(int m, int n, int k, const float *a, int lda, const float *split_b,
                                int parts, const float *bias, int accumulate, int relu, float *c,
                                int ldc, int reversed) {
    split_rows s = {
        .kernel = bpk_kernel_for_path(bpk_kernels_current_path()),
        .m = m, .n = n, .k = k, .a = a, .lda = lda,
        .split_b = split_b, .parts = parts, .bias = bias, .accumulate = accumulate, .relu = relu,
        .c = c, .ldc = ldc,
    };
    if (m <= 0 || n <= 0) return;
    for (int t = 0; t < parts; t++) run_split_part(&s, reversed ? parts - 1 - t : t);
}
