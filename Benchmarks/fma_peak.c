// One core's fused multiply-add peak and clock, by the thread's CPU clock:
// a chain of dependent integer adds (one a cycle) gives the clock, twelve
// independent chains of 512-bit FMAs the throughput, one chain the latency.
// Dev-time only; bpkit never builds it. Run two at once for both cores.
//
//     clang -O2 Benchmarks/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx512f,fma"), noinline)) static float independent(long n) {
    __m512 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(i * 0.001f);
    __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < n; i++) {
        for (int j = 0; j < 12; j++) a[j] = _mm512_fmadd_ps(a[j], x, y);
        // Keeps the twelve chains in registers and apart.
        __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), "+v"(a[4]), "+v"(a[5]),
                         "+v"(a[6]), "+v"(a[7]), "+v"(a[8]), "+v"(a[9]), "+v"(a[10]), "+v"(a[11]));
    }
    __m512 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, a[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx512f,fma"), noinline)) static float dependent(long n) {
    __m512 a = _mm512_set1_ps(0.5f), x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < n; i++) a = _mm512_fmadd_ps(a, x, y);
    return _mm512_reduce_add_ps(a);
}

__attribute__((noinline)) static long adds(long n) {
    long v = 0;
    for (long i = 0; i < n; i++)
        __asm__ volatile("add $1,%0\n add $1,%0\n add $1,%0\n add $1,%0\n"
                         "add $1,%0\n add $1,%0\n add $1,%0\n add $1,%0"
                         : "+r"(v));
    return v;
}

int main(void) {
    for (int round = 0; round < 3; round++) {
        long n = 25000000;
        double t = seconds();
        long v = adds(n);
        double hz = n * 8.0 / (seconds() - t);
        n = 50000000;
        t = seconds();
        float f = independent(n);
        double fmas = n * 12.0 / (seconds() - t);
        t = seconds();
        float g = dependent(n * 4);
        double latency = (seconds() - t) * hz / (n * 4.0);
        printf("clock %.2f GHz; 512-bit FMA %.1f GFLOP/s, %.2f a cycle; latency %.2f cycles (%ld %g %g)\n",
               hz / 1e9, fmas * 32 / 1e9, fmas / hz, latency, v, f, g);
    }
    return 0;
}
