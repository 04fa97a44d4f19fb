// The Double product driver: gemm.c's blocking and split over threads for
// the Double kernels (dkernel_*.c). Nothing here does arithmetic; each
// output element is one chain of fused multiply-adds over k, continued
// through C from one block of k to the next.
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "CKernels.h"
#include "kernels_internal.h"

// Block sizes, in doubles: a [KC × NR] panel of packed B (64 KB at NR = 16)
// stays in L2 while the tiles of an [MC × KC] block of A pass over it. MC is
// a multiple of every path's MR, NC of every NR.
enum { MC = 144, KC = 512, NC = 256 };
// Products of at most this many rows read B where it lies.
enum { DIRECT_ROWS = 4 };
// A product split over threads is cut into up to this many tasks per thread.
enum { TASKS_PER_THREAD = 4 };

const bpk_dgemm_kernel *bpk_dkernel_for_path(int path);

static _Thread_local double *packed_b;

// B(p,j) = b[p·rsb + j·csb] for kc steps and nc columns, as panels of nr
// columns: panel t holds [kc][nr], columns past nc zero.
static void pack_b(int kc, int nc, const double *b, long rsb, long csb, int nr, double *out) {
    for (int j0 = 0; j0 < nc; j0 += nr) {
        int cols = nc - j0 < nr ? nc - j0 : nr;
        for (int p = 0; p < kc; p++) {
            const double *src = b + p * rsb + j0 * csb;
            if (csb == 1) {
                memcpy(out + p * nr, src, sizeof(double) * cols);
            } else {
                for (int j = 0; j < cols; j++) out[p * nr + j] = src[j * csb];
            }
            for (int j = cols; j < nr; j++) out[p * nr + j] = 0;
        }
        out += (long)kc * nr;
    }
}

typedef struct {
    const bpk_dgemm_kernel *kernel;
    int m, n, k;
    const double *a;
    long rsa, csa;
    const double *b;
    long rsb, csb;
    int accumulate;
    double *c;
    int ldc;
} product;

// C = (accumulate ? C : 0) + A·B for one block of C, on the calling thread.
static void run_block(const product *q) {
    const bpk_dgemm_kernel *kern = q->kernel;
    int m = q->m, n = q->n, k = q->k;
    if (m <= 0 || n <= 0) return;
    if (k == 0) {
        if (!q->accumulate)
            for (int i = 0; i < m; i++) memset(q->c + (long)i * q->ldc, 0, sizeof(double) * n);
        return;
    }
    if (m <= DIRECT_ROWS && q->csb == 1) {
        for (int i = 0; i < m; i++)
            kern->row(n, k, q->a + i * q->rsa, (int)q->csa, q->b, (int)q->rsb, q->c + (long)i * q->ldc,
                      q->accumulate);
        return;
    }
    if (!packed_b) packed_b = aligned_alloc(64, sizeof(double) * KC * NC);
    if (!packed_b) abort();
    int mr = kern->mr, nr = kern->nr;
    double edge[12 * 16];
    for (int jc = 0; jc < n; jc += NC) {
        int nc = n - jc < NC ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = k - pc < KC ? k - pc : KC;
            // The chain of each element continues through C from one block of k to the next.
            int load = q->accumulate || pc > 0;
            pack_b(kc, nc, q->b + pc * q->rsb + jc * q->csb, q->rsb, q->csb, nr, packed_b);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = m - ic < MC ? m - ic : MC;
                for (int jr = 0; jr < nc; jr += nr) {
                    int cols = nc - jr < nr ? nc - jr : nr;
                    const double *bp = packed_b + (long)jr * kc;
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = mc - ir < mr ? mc - ir : mr;
                        const double *a = q->a + (ic + ir) * q->rsa + pc * q->csa;
                        double *c = q->c + (long)(ic + ir) * q->ldc + jc + jr;
                        if (cols == nr) {
                            kern->micro(rows, kc, a, q->rsa, q->csa, bp, c, q->ldc, load);
                            continue;
                        }
                        // The last columns go through a full-width copy.
                        if (load)
                            for (int r = 0; r < rows; r++)
                                memcpy(edge + r * nr, c + (long)r * q->ldc, sizeof(double) * cols);
                        kern->micro(rows, kc, a, q->rsa, q->csa, bp, edge, nr, load);
                        for (int r = 0; r < rows; r++)
                            memcpy(c + (long)r * q->ldc, edge + r * nr, sizeof(double) * cols);
                    }
                }
            }
        }
    }
}

typedef struct {
    product whole;
    int split_rows;
    int chunk;
} split;

static void run_part(void *context, int index) {
    const split *s = context;
    product part = s->whole;
    int start = index * s->chunk;
    if (s->split_rows) {
        int end = start + s->chunk < part.m ? start + s->chunk : part.m;
        part.m = end - start;
        part.a += start * part.rsa;
        part.c += (long)start * part.ldc;
    } else {
        int end = start + s->chunk < part.n ? start + s->chunk : part.n;
        part.n = end - start;
        part.b += start * part.csb;
        part.c += start;
    }
    run_block(&part);
}

void bpk_dgemm(int transA, int transB, int m, int n, int k, const double *a, int lda,
               const double *b, int ldb, int accumulate, double *c, int ldc) {
    product q = {
        .kernel = bpk_dkernel_for_path(bpk_kernels_current_path()),
        .m = m, .n = n, .k = k,
        .a = a, .rsa = transA ? 1 : lda, .csa = transA ? lda : 1,
        .b = b, .rsb = transB ? 1 : ldb, .csb = transB ? ldb : 1,
        .accumulate = accumulate, .c = c, .ldc = ldc,
    };
    int threads = bpk_kernels_current_threads();
    if (threads <= 1 || (long)m * n * k < bpk_kernels_split_minimum()) {
        run_block(&q);
        return;
    }
    // Any split gives the same numbers: each element's chain is computed by
    // one thread, whole. Split the dimension with more tiles, a few tasks per thread.
    int mr = q.kernel->mr, nr = q.kernel->nr;
    int direct = m <= DIRECT_ROWS && q.csb == 1;
    int row_tiles = direct ? 1 : (m + mr - 1) / mr;
    int col_unit = direct ? 32 : nr;
    int col_tiles = (n + col_unit - 1) / col_unit;
    split s = {.whole = q, .split_rows = row_tiles > col_tiles};
    int tiles = s.split_rows ? row_tiles : col_tiles;
    int tasks = tiles < threads * TASKS_PER_THREAD ? tiles : threads * TASKS_PER_THREAD;
    int per_task = (tiles + tasks - 1) / tasks;
    s.chunk = per_task * (s.split_rows ? mr : col_unit);
    tasks = ((s.split_rows ? m : n) + s.chunk - 1) / s.chunk;
    bpk_parallel_run(tasks, threads, run_part, &s);
}
