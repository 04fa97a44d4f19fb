// The forward pass of `bpkit bench infer` (784-256-128-10, relu, relu,
// softmax) straight over Sources/CKernels, timed by the thread's CPU clock as
// well as the wall clock: on a shared machine the wall clock mostly measures
// the other processes, while CPU time (which time-slicing does not inflate)
// measures the kernels. Dev-time only; bpkit never builds it.
//
//     K=Sources/CKernels
//     clang -O3 -I$K/include -I$K Benchmarks/forward_cpu_time.c $K/*.c -lm -lpthread -o /tmp/forward
//     /tmp/forward                       # 1 thread, the best path
//     BPKIT_KERNELS=avx2 /tmp/forward 2  # another path, 2 threads
//
// Prints medians of 9 runs (batch 1: 2000 calls each; batch 1024: 5 calls
// each) by the calling thread's CPU clock, the process's (every thread) and
// the wall clock, and an FNV-1a hash of every layer's outputs, which is the
// same on every path and thread count. With more than one thread, batch 1's
// large layers run cut by columns over the threads, as bpkit's Predictor
// does; on one thread, in two halves read in alternating order, as it also
// does. The single row is checked against the same row of the batch.
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "CKernels.h"

enum { LAYERS = 3, LARGE = 1024, RUNS = 9, SPLIT_WEIGHTS = 16384 };
static const int width[LAYERS + 1] = {784, 256, 128, 10};
static float *kernel[LAYERS], *packed[LAYERS], *split[LAYERS], *bias[LAYERS], *activation[LAYERS + 1];
static int path, parts, alone, reversed[LAYERS];

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// z = b + x·W by the kernels (B packed once, as bpkit's Predictor does), then relu, or softmax for the last layer, as bpkit's engine does.
static void forward(int rows) {
    for (int l = 0; l < LAYERS; l++) {
        int k = width[l], n = width[l + 1];
        float *out = activation[l + 1];
        if (rows == 1 && split[l] && alone) {
            // One thread: the halves in the opposite order at each call.
            bpk_sgemm_split_rows_alone(rows, n, k, activation[l], k, split[l], parts, bias[l], 0, l < LAYERS - 1,
                                       out, n, reversed[l]);
            reversed[l] ^= 1;
            continue;
        }
        if (rows == 1 && split[l]) {
            // Bias, product and relu in one pass per thread.
            bpk_sgemm_split_rows(rows, n, k, activation[l], k, split[l], parts, bias[l], 0, l < LAYERS - 1, out, n);
            continue;
        }
        for (int r = 0; r < rows; r++) memcpy(out + (long)r * n, bias[l], sizeof(float) * n);
        bpk_sgemm_prepacked(0, rows, n, k, activation[l], k, kernel[l], n, packed[l], path, 1, out, n);
        if (l < LAYERS - 1) {
            for (long i = 0; i < (long)rows * n; i++) out[i] = out[i] > 0 ? out[i] : 0;
            continue;
        }
        for (int r = 0; r < rows; r++) {
            float *y = out + (long)r * n, maximum = y[0], sum = 0;
            for (int j = 1; j < n; j++) maximum = y[j] > maximum ? y[j] : maximum;
            for (int j = 0; j < n; j++) sum += y[j] = expf(y[j] - maximum);
            for (int j = 0; j < n; j++) y[j] /= sum;
        }
    }
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Medians over RUNS runs of `calls` forward passes of `rows` rows: seconds
// per call by the calling thread's CPU clock, the process's (every thread)
// and the wall clock.
static void measure(int rows, int calls, double *cpu, double *process, double *wall) {
    double c[RUNS], q[RUNS], w[RUNS];
    for (int run = 0; run < RUNS; run++) {
        double c0 = seconds(CLOCK_THREAD_CPUTIME_ID), q0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        double w0 = seconds(CLOCK_MONOTONIC);
        for (int i = 0; i < calls; i++) forward(rows);
        c[run] = (seconds(CLOCK_THREAD_CPUTIME_ID) - c0) / calls;
        q[run] = (seconds(CLOCK_PROCESS_CPUTIME_ID) - q0) / calls;
        w[run] = (seconds(CLOCK_MONOTONIC) - w0) / calls;
    }
    qsort(c, RUNS, sizeof(double), ascending);
    qsort(q, RUNS, sizeof(double), ascending);
    qsort(w, RUNS, sizeof(double), ascending);
    *cpu = c[RUNS / 2];
    *process = q[RUNS / 2];
    *wall = w[RUNS / 2];
}

int main(int argc, char **argv) {
    bpk_kernels_set_threads(argc > 1 ? atoi(argv[1]) : 1);
    srand(1);
    // The weights lie as in a Predictor: every layer's kernel and bias in one
    // buffer from bpk_weights_allocate (2 MiB pages on Linux).
    long count = 0;
    for (int l = 0; l < LAYERS; l++) count += (long)width[l] * width[l + 1] + width[l + 1];
    float *weights = bpk_weights_allocate(count);
    for (int l = 0; l < LAYERS; l++) {
        kernel[l] = weights;
        bias[l] = weights + width[l] * width[l + 1];
        weights = bias[l] + width[l + 1];
        for (int i = 0; i < width[l] * width[l + 1]; i++) kernel[l][i] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
        for (int i = 0; i < width[l + 1]; i++) bias[l][i] = 0.01f * i;
    }
    path = bpk_kernels_path();
    for (int l = 0; l < LAYERS; l++) {
        long count = bpk_sgemm_packed_b_count(path, width[l + 1], width[l]);
        packed[l] = count ? aligned_alloc(64, sizeof(float) * count) : NULL;
        if (count) bpk_sgemm_pack_b(path, width[l + 1], width[l], kernel[l], width[l + 1], packed[l]);
    }
    // With more than one thread, a single row's large layers are split by
    // columns over the threads, as bpkit's Predictor does.
    // On one thread, as the Predictor does for kernels of 512 KiB or more in
    // all (these hold 912 KiB), in two halves read in alternating order.
    parts = bpk_kernels_threads();
    alone = parts == 1;
    if (alone) parts = 2;
    for (int l = 0; l < LAYERS && parts > 1; l++) {
        if ((long)width[l] * width[l + 1] < SPLIT_WEIGHTS) continue;
        split[l] = bpk_weights_allocate((long)width[l] * width[l + 1]);
        bpk_split_pack(width[l + 1], width[l], kernel[l], width[l + 1], parts, split[l]);
    }
    for (int l = 0; l <= LAYERS; l++) activation[l] = aligned_alloc(64, sizeof(float) * LARGE * width[l]);
    for (int i = 0; i < LARGE * width[0]; i++) activation[0][i] = rand() / (float)RAND_MAX;

    double cpu1, process1, wall1, cpuN, processN, wallN;
    for (int i = 0; i < 200; i++) forward(1);
    measure(1, 2000, &cpu1, &process1, &wall1);
    forward(LARGE);
    measure(LARGE, 5, &cpuN, &processN, &wallN);
    printf("kernels %d, %d threads: batch 1 %.2f us CPU (caller's thread), %.2f us CPU (process), "
           "%.2f us wall; batch %d %.0f samples/s CPU (caller's thread), %.0f samples/s CPU (process), "
           "%.0f samples/s wall\n",
           bpk_kernels_path(), bpk_kernels_threads(), cpu1 * 1e6, process1 * 1e6, wall1 * 1e6, LARGE,
           LARGE / cpuN, LARGE / processN, LARGE / wallN);

    // A single row's outputs equal the same row's in the batch, bit for bit.
    float single[10];
    forward(1);
    memcpy(single, activation[LAYERS], sizeof single);
    forward(LARGE);
    if (memcmp(single, activation[LAYERS], sizeof single) != 0) printf("batch 1 differs from batch %d!\n", LARGE);
    unsigned long hash = 1469598103934665603UL;
    for (int l = 1; l <= LAYERS; l++) {
        const unsigned char *bytes = (const unsigned char *)activation[l];
        for (long i = 0; i < (long)sizeof(float) * LARGE * width[l]; i++) hash = (hash ^ bytes[i]) * 1099511628211UL;
    }
    printf("outputs' FNV-1a hash %016lx\n", hash);
    return 0;
}
