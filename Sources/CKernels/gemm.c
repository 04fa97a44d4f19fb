// The product driver: blocking, packing and the split over threads, shared by
// every path. Nothing here does arithmetic; the kernels do, each output
// element in one chain of fused multiply-adds over k (see CKernels.h).
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "CKernels.h"
#include "kernels_internal.h"

// Block sizes: one [KC × NR] panel of packed B (128 KB at NR = 32) and a
// [MC × KC] block of A stay in L2 while the tiles pass over them. A is read
// where it lies (the kernels broadcast each of its numbers, so packing it
// would only copy it); B is packed into panels of NR columns. Long blocks of
// k keep each tile's chains in registers longer: a tile of C is loaded and
// stored once per block (KC = 256 had cost batch-1024 inference's 784-step
// product a tenth of its time). MC is a multiple of every path's MR, NC of
// every NR.
enum { MC = 144, KC = 1024, NC = 512 };
// Products of at most this many rows read B where it lies.
enum { DIRECT_ROWS = 4 };
// Products whose B has at most DIRECT_B numbers, in rows of at most DIRECT_K
// steps, are computed unpacked where a path can (B then stays in L2).
enum { DIRECT_K = 512, DIRECT_B = 65536 };
// A product split over threads is cut into up to this many tasks per thread.
enum { TASKS_PER_THREAD = 4 };

static _Thread_local float *packed_b;

static int ensure_buffers(void) {
    if (!packed_b) packed_b = aligned_alloc(64, sizeof(float) * KC * NC);
    return packed_b != NULL;
}

// B(p,j) = b[p·rsb + j·csb] for kc steps and nc columns, as panels of nr
// columns: panel t holds [kc][nr], columns past nc zero.
static void pack_b(int kc, int nc, const float *b, long rsb, long csb, int nr, float *out) {
    for (int j0 = 0; j0 < nc; j0 += nr) {
        int cols = nc - j0 < nr ? nc - j0 : nr;
        for (int p = 0; p < kc; p++) {
            const float *src = b + p * rsb + j0 * csb;
            if (csb == 1) {
                memcpy(out + p * nr, src, sizeof(float) * cols);
            } else {
                for (int j = 0; j < cols; j++) out[p * nr + j] = src[j * csb];
            }
            for (int j = cols; j < nr; j++) out[p * nr + j] = 0;
        }
        out += (long)kc * nr;
    }
}

typedef struct {
    const bpk_sgemm_kernel *kernel;
    int m, n, k;
    const float *a;
    long rsa, csa;
    const float *b;
    long rsb, csb;
    // B packed whole by pack_whole_b, shared by the blocks of a split over
    // rows; NULL when each block packs its own panels.
    const float *packed;
    int accumulate;
    float *c;
    int ldc;
} product;

// Whether run_block computes q through packed panels of B.
static int uses_packed_b(const product *q) {
    if (q->m <= DIRECT_ROWS && q->csb == 1) return 0;
    return !(q->kernel->direct && q->csb == 1 && q->k <= DIRECT_K && (long)q->k * q->n <= DIRECT_B);
}

// Where the panels of columns [jc, jc + NC) and steps [pc, pc + KC) start in
// B packed whole: every block of NC columns before jc holds k × NC numbers,
// and within a block each block of KC steps holds KC × (nc rounded up to nr).
static long packed_offset(int jc, int pc, int nc, int k, int nr) {
    int padded = (nc + nr - 1) / nr * nr;
    return (long)jc * k + (long)pc * padded;
}

// Packs all of B once, in run_block's blocks, so that the threads of a split
// over rows share it instead of each packing the same panels.
static void pack_whole_b(const product *q, float *out) {
    int nr = q->kernel->nr;
    for (int jc = 0; jc < q->n; jc += NC) {
        int nc = q->n - jc < NC ? q->n - jc : NC;
        for (int pc = 0; pc < q->k; pc += KC) {
            int kc = q->k - pc < KC ? q->k - pc : KC;
            pack_b(kc, nc, q->b + pc * q->rsb + jc * q->csb, q->rsb, q->csb, nr,
                   out + packed_offset(jc, pc, nc, q->k, nr));
        }
    }
}

// The calling thread's buffer for B packed whole, grown as needed; NULL when
// memory is short (the blocks then pack their own panels).
static _Thread_local float *whole_b;
static _Thread_local long whole_b_capacity;

static float *whole_b_buffer(long count) {
    if (count > whole_b_capacity) {
        free(whole_b);
        whole_b = aligned_alloc(64, sizeof(float) * (size_t)((count + 15) / 16 * 16));
        whole_b_capacity = whole_b ? count : 0;
    }
    return whole_b;
}

// C = (accumulate ? C : 0) + A·B for one block of C, on the calling thread.
static void run_block(const product *q) {
    const bpk_sgemm_kernel *kern = q->kernel;
    int m = q->m, n = q->n, k = q->k;
    if (m <= 0 || n <= 0) return;
    if (k == 0) {
        if (!q->accumulate)
            for (int i = 0; i < m; i++) memset(q->c + (long)i * q->ldc, 0, sizeof(float) * n);
        return;
    }
    if (m <= DIRECT_ROWS && q->csb == 1) {
        for (int i = 0; i < m; i++)
            kern->row(n, k, q->a + i * q->rsa, (int)q->csa, q->b, (int)q->rsb, NULL, 0,
                      q->c + (long)i * q->ldc, q->accumulate);
        return;
    }
    int mr = kern->mr, nr = kern->nr;
    if (kern->direct && q->csb == 1 && k <= DIRECT_K && (long)k * n <= DIRECT_B) {
        for (int i0 = 0; i0 < m; i0 += mr)
            for (int j0 = 0; j0 < n; j0 += nr)
                kern->direct(m - i0 < mr ? m - i0 : mr, n - j0 < nr ? n - j0 : nr, k,
                             q->a + i0 * q->rsa, q->rsa, q->csa, q->b + j0, q->rsb,
                             q->c + (long)i0 * q->ldc + j0, q->ldc, q->accumulate);
        return;
    }
    if (!q->packed && !ensure_buffers()) abort();
    float edge[16 * 32];
    for (int jc = 0; jc < n; jc += NC) {
        int nc = n - jc < NC ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = k - pc < KC ? k - pc : KC;
            // The chain of each element continues through C from one block of k to the next.
            int load = q->accumulate || pc > 0;
            const float *panels = packed_b;
            if (q->packed) {
                panels = q->packed + packed_offset(jc, pc, nc, k, nr);
            } else {
                pack_b(kc, nc, q->b + pc * q->rsb + jc * q->csb, q->rsb, q->csb, nr, packed_b);
            }
            for (int ic = 0; ic < m; ic += MC) {
                int mc = m - ic < MC ? m - ic : MC;
                for (int jr = 0; jr < nc; jr += nr) {
                    int cols = nc - jr < nr ? nc - jr : nr;
                    const float *bp = panels + (long)jr * kc;
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = mc - ir < mr ? mc - ir : mr;
                        const float *a = q->a + (ic + ir) * q->rsa + pc * q->csa;
                        float *c = q->c + (long)(ic + ir) * q->ldc + jc + jr;
                        if (cols == nr) {
                            kern->micro(rows, kc, a, q->rsa, q->csa, bp, c, q->ldc, load);
                            continue;
                        }
                        // The last columns go through a full-width copy.
                        if (load)
                            for (int r = 0; r < rows; r++)
                                memcpy(edge + r * nr, c + (long)r * q->ldc, sizeof(float) * cols);
                        kern->micro(rows, kc, a, q->rsa, q->csa, bp, edge, nr, load);
                        for (int r = 0; r < rows; r++)
                            memcpy(c + (long)r * q->ldc, edge + r * nr, sizeof(float) * cols);
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

const bpk_sgemm_kernel *bpk_kernel_for_path(int path);

// Computes q on up to the calling thread's number of threads. q.packed, when
// set, holds all of B packed by pack_whole_b.
static void multiply(product q) {
    int threads = bpk_kernels_current_threads();
    if (threads <= 1 || (long)q.m * q.n * q.k < bpk_kernels_split_minimum()) {
        run_block(&q);
        return;
    }
    // Any split gives the same numbers: each element's chain is computed by
    // one thread, whole. Split the dimension with more tiles, into a few tasks
    // per thread, so that a thread the machine holds back delays only its
    // current task.
    int m = q.m, n = q.n, k = q.k;
    int mr = q.kernel->mr, nr = q.kernel->nr;
    int direct = m <= DIRECT_ROWS && q.csb == 1;
    int row_tiles = direct ? 1 : (m + mr - 1) / mr;
    int col_unit = direct ? 64 : nr;
    int col_tiles = (n + col_unit - 1) / col_unit;
    split s = {.whole = q, .split_rows = row_tiles > col_tiles};
    int tiles = s.split_rows ? row_tiles : col_tiles;
    int tasks = tiles < threads * TASKS_PER_THREAD ? tiles : threads * TASKS_PER_THREAD;
    int per_task = (tiles + tasks - 1) / tasks;
    s.chunk = per_task * (s.split_rows ? mr : col_unit);
    tasks = ((s.split_rows ? m : n) + s.chunk - 1) / s.chunk;
    // Column blocks would need B's panels re-cut at their own columns: they pack their own.
    if (!s.split_rows) s.whole.packed = NULL;
    // Row blocks all read the whole of B: pack it once for them.
    if (s.split_rows && tasks > 1 && !s.whole.packed && uses_packed_b(&q)) {
        float *packed = whole_b_buffer((long)k * ((n + nr - 1) / nr * nr));
        if (packed) {
            pack_whole_b(&q, packed);
            s.whole.packed = packed;
        }
    }
    bpk_parallel_run(tasks, threads, run_part, &s);
}

void bpk_sgemm(int transA, int transB, int m, int n, int k, const float *a, int lda, const float *b,
               int ldb, int accumulate, float *c, int ldc) {
    product q = {
        .kernel = bpk_kernel_for_path(bpk_kernels_current_path()),
        .m = m, .n = n, .k = k,
        .a = a, .rsa = transA ? 1 : lda, .csa = transA ? lda : 1,
        .b = b, .rsb = transB ? 1 : ldb, .csb = transB ? ldb : 1,
        .accumulate = accumulate, .c = c, .ldc = ldc,
    };
    multiply(q);
}

// A product of `rows` rows (more than DIRECT_ROWS) by an untransposed k×n B on `path`.
static product untransposed_b(int path, int n, int k, const float *b, int ldb) {
    product q = {
        .kernel = bpk_kernel_for_path(path),
        .m = DIRECT_ROWS + 1, .n = n, .k = k,
        .b = b, .rsb = ldb, .csb = 1,
    };
    return q;
}

long bpk_sgemm_packed_b_count(int path, int n, int k) {
    product q = untransposed_b(path, n, k, NULL, n);
    if (n <= 0 || k <= 0 || !uses_packed_b(&q)) return 0;
    return (long)k * ((n + q.kernel->nr - 1) / q.kernel->nr * q.kernel->nr);
}

void bpk_sgemm_pack_b(int path, int n, int k, const float *b, int ldb, float *packed) {
    product q = untransposed_b(path, n, k, b, ldb);
    if (n > 0 && k > 0 && uses_packed_b(&q)) pack_whole_b(&q, packed);
}

void bpk_sgemm_prepacked(int transA, int m, int n, int k, const float *a, int lda, const float *b,
                         int ldb, const float *packed, int packed_path, int accumulate, float *c,
                         int ldc) {
    int path = bpk_kernels_current_path();
    product q = {
        .kernel = bpk_kernel_for_path(path),
        .m = m, .n = n, .k = k,
        .a = a, .rsa = transA ? 1 : lda, .csa = transA ? lda : 1,
        .b = b, .rsb = ldb, .csb = 1,
        .accumulate = accumulate, .c = c, .ldc = ldc,
    };
    if (packed && packed_path == path && uses_packed_b(&q)) q.packed = packed;
    multiply(q);
}
