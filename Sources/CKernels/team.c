// A second, small group of worker threads for products so short (a few
// microseconds: one sample through a layer) that waking a sleeping thread
// would take longer than the product. Its workers spin for a while after each
// job, waiting for the next one, and then sleep; the caller spins while a
// worker finishes a task it has started. Task t goes to worker t (the caller
// runs task 0), so that each core keeps reading the same part of the weights
// from its own cache; the caller takes any task whose worker has not started
// it, so a worker the machine holds back delays nothing.
// Which thread runs a task never changes a number.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "CKernels.h"
#include "kernels_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define RELAX() _mm_pause()
#elif defined(__aarch64__)
#define RELAX() __asm__ __volatile__("yield")
#else
#define RELAX() ((void)0)
#endif

enum { MAX_TEAM = 17 };  // participants, the caller included, are fewer
// How long a worker spins for the next job before it sleeps, and how many
// rounds the caller spins on a started task before it yields its core.
enum { SPIN_NANOSECONDS = 100000, WAIT_SPINS = 4096 };

// Each line below is written by one side only, so that starting and ending
// a job moves as few cache lines between cores as possible: the caller
// writes the job, and worker w its own status, which the caller writes only
// to take task w itself when the worker has not started it.
typedef struct {
    // The last job published: its number times MAX_TEAM plus its tasks, in
    // one word, so that a worker reads both at once.
    _Alignas(64) atomic_ulong published;
    void (*fn)(void *, int);
    void *context;
} team_job;

typedef struct {
    _Alignas(64) atomic_ulong claimed;  // the last job whose task w was taken, by w or the caller
    atomic_ulong finished;              // the last job in which worker w finished task w
} team_status;

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;  // one job on the team at a time
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;  // guards starting workers and sleeping
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int team_size;  // workers started
static atomic_int sleepers;
static team_job job;
static team_status status[MAX_TEAM];

static long now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

// Takes task w of job g unless the other side has. Claims only grow: a
// worker held back since an earlier job finds a later claim and keeps out.
static int claim(int w, unsigned long g) {
    unsigned long seen = atomic_load(&status[w].claimed);
    return seen < g && atomic_compare_exchange_strong(&status[w].claimed, &seen, g);
}

// Worker w runs task w of each job that has one, if it comes before the
// caller takes it. Once it has claimed the task, the caller waits for it
// before publishing another job, so the job's fields hold still meanwhile.
static void *worker(void *argument) {
    int self = (int)(long)argument;
    unsigned long seen = atomic_load(&job.published);
    for (;;) {
        long deadline = now_nanoseconds() + SPIN_NANOSECONDS;
        for (int spins = 0; atomic_load_explicit(&job.published, memory_order_relaxed) == seen; spins++) {
            RELAX();
            if ((spins & 255) == 255 && now_nanoseconds() > deadline) {
                pthread_mutex_lock(&lock);
                atomic_fetch_add(&sleepers, 1);
                while (atomic_load(&job.published) == seen) pthread_cond_wait(&wake, &lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&lock);
            }
        }
        seen = atomic_load(&job.published);
        unsigned long g = seen / MAX_TEAM;
        if (self < (int)(seen % MAX_TEAM) && claim(self, g)) {
            job.fn(job.context, self);
            atomic_store_explicit(&status[self].finished, g, memory_order_release);
        }
    }
    return NULL;
}

static int start_workers(int wanted) {
    pthread_mutex_lock(&lock);
    while (team_size < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker, (void *)(long)(team_size + 1));
        pthread_attr_destroy(&attributes);
        if (failed) break;
        team_size++;
    }
    int size = team_size;
    pthread_mutex_unlock(&lock);
    return size;
}

void bpk_team_run(int tasks, void (*fn)(void *ctx, int index), void *context) {
    if (tasks <= 1 || tasks >= MAX_TEAM || pthread_mutex_trylock(&busy) != 0) {
        for (int t = 0; t < tasks; t++) fn(context, t);
        return;
    }
    if (start_workers(tasks - 1) < tasks - 1) {
        pthread_mutex_unlock(&busy);
        for (int t = 0; t < tasks; t++) fn(context, t);
        return;
    }
    job.fn = fn;
    job.context = context;
    unsigned long g = atomic_load_explicit(&job.published, memory_order_relaxed) / MAX_TEAM + 1;
    atomic_store(&job.published, g * MAX_TEAM + (unsigned long)tasks);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&lock);
    }

    fn(context, 0);
    // Take each task its worker has not started; wait for those it has: the
    // end of a product already running, not a sleep.
    for (int w = 1; w < tasks; w++) {
        if (claim(w, g)) {
            fn(context, w);
            continue;
        }
        for (int spins = 0; atomic_load_explicit(&status[w].finished, memory_order_acquire) != g; spins++) {
            if (spins < WAIT_SPINS) {
                RELAX();
            } else {
                sched_yield();
            }
        }
    }
    pthread_mutex_unlock(&busy);
}
