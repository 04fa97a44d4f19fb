// Which kernel path runs, and on how many threads.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "CKernels.h"
#include "kernels_internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_int global_path;
static atomic_int thread_count;
static long split_minimum = 1L << 20;
static const char *rejected_environment;
static _Thread_local int thread_path;
static _Thread_local int thread_threads;

int bpk_kernels_supports(int path) {
    switch (path) {
    case bpk_path_portable:
        return 1;
#if defined(__x86_64__)
    case bpk_path_avx2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case bpk_path_avx512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("fma");
#endif
    default:
        return 0;
    }
}

int bpk_kernels_best_path(void) {
    if (bpk_kernels_supports(bpk_path_avx512)) return bpk_path_avx512;
    if (bpk_kernels_supports(bpk_path_avx2)) return bpk_path_avx2;
    return bpk_path_portable;
}

int bpk_kernels_available_processors(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

static void initialise(void) {
    int path = bpk_kernels_best_path();
    const char *chosen = getenv("BPKIT_KERNELS");
    if (chosen && chosen[0] != '\0' && strcasecmp(chosen, "auto") != 0) {
        int named = strcasecmp(chosen, "avx512") == 0     ? bpk_path_avx512
                    : strcasecmp(chosen, "avx2") == 0     ? bpk_path_avx2
                    : strcasecmp(chosen, "portable") == 0 ? bpk_path_portable
                                                          : 0;
        if (named && bpk_kernels_supports(named)) {
            path = named;
        } else {
            rejected_environment = chosen;
        }
    }
    atomic_store(&global_path, path);
    atomic_store(&thread_count, bpk_kernels_available_processors());
    const char *split = getenv("BPKIT_KERNELS_SPLIT_MIN");
    if (split && split[0] != '\0') {
        char *end;
        long value = strtol(split, &end, 10);
        if (*end == '\0' && value >= 1) split_minimum = value;
    }
}

int bpk_kernels_path(void) {
    pthread_once(&init_once, initialise);
    return atomic_load(&global_path);
}

const char *bpk_kernels_rejected_environment(void) {
    pthread_once(&init_once, initialise);
    return rejected_environment;
}

int bpk_kernels_set_path(int path) {
    pthread_once(&init_once, initialise);
    if (!bpk_kernels_supports(path)) return -1;
    atomic_store(&global_path, path);
    return 0;
}

int bpk_kernels_set_thread_path(int path) {
    if (path != 0 && !bpk_kernels_supports(path)) return -1;
    thread_path = path;
    return 0;
}

int bpk_kernels_current_path(void) { return thread_path ? thread_path : bpk_kernels_path(); }

long bpk_kernels_split_minimum(void) {
    pthread_once(&init_once, initialise);
    return split_minimum;
}

int bpk_kernels_threads(void) {
    pthread_once(&init_once, initialise);
    return atomic_load(&thread_count);
}

int bpk_kernels_set_thread_threads(int threads) {
    int previous = thread_threads;
    thread_threads = threads < 0 ? 0 : threads;
    return previous;
}

int bpk_kernels_current_threads(void) { return thread_threads ? thread_threads : bpk_kernels_threads(); }

int bpk_kernels_set_threads(int threads) {
    pthread_once(&init_once, initialise);
    atomic_store(&thread_count, threads < 1 ? 1 : threads);
    return atomic_load(&thread_count);
}

const bpk_sgemm_kernel *bpk_kernel_for_path(int path) {
#if defined(__x86_64__)
    if (path == bpk_path_avx512) return &bpk_avx512_kernel;
    if (path == bpk_path_avx2) return &bpk_avx2_kernel;
#endif
    (void)path;
    return &bpk_portable_kernel;
}

const bpk_dgemm_kernel *bpk_dkernel_for_path(int path) {
#if defined(__x86_64__)
    if (path == bpk_path_avx512) return &bpk_avx512_dkernel;
    if (path == bpk_path_avx2) return &bpk_avx2_dkernel;
#endif
    (void)path;
    return &bpk_portable_dkernel;
}
