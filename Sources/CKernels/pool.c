// A small pool of worker threads for the products. The work is split into
// tasks by output rows or columns; which thread runs a task never changes a
// number, only the time taken.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>

#include "CKernels.h"
#include "kernels_internal.h"

enum { MAX_WORKERS = 255 };

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;  // one product on the workers at a time
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static int worker_count;
static unsigned long generation;
static int open_slots;  // workers still to join the current job
static int working;     // workers in the current job
static void (*job_fn)(void *, int);
static void *job_context;
static int job_tasks;
static atomic_int next_task;

static void take_tasks(void) {
    for (;;) {
        int task = atomic_fetch_add(&next_task, 1);
        if (task >= job_tasks) return;
        job_fn(job_context, task);
    }
}

static void *worker(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    unsigned long seen = generation;
    for (;;) {
        while (generation == seen) pthread_cond_wait(&wake, &lock);
        seen = generation;
        if (open_slots == 0) continue;
        open_slots--;
        working++;
        pthread_mutex_unlock(&lock);
        take_tasks();
        pthread_mutex_lock(&lock);
        if (--working == 0 && open_slots == 0) pthread_cond_signal(&finished);
    }
    return NULL;
}

static void run_alone(int tasks, void (*fn)(void *, int), void *context) {
    for (int t = 0; t < tasks; t++) fn(context, t);
}

void bpk_parallel_run(int tasks, int threads, void (*fn)(void *ctx, int index), void *context) {
    int helpers = (threads < tasks ? threads : tasks) - 1;
    if (helpers > MAX_WORKERS) helpers = MAX_WORKERS;
    if (helpers <= 0 || pthread_mutex_trylock(&busy) != 0) {
        run_alone(tasks, fn, context);
        return;
    }
    pthread_mutex_lock(&lock);
    while (worker_count < helpers) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker, NULL);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        worker_count++;
    }
    if (helpers > worker_count) helpers = worker_count;
    job_fn = fn;
    job_context = context;
    job_tasks = tasks;
    atomic_store(&next_task, 0);
    open_slots = helpers;
    working = 0;
    generation++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);

    take_tasks();

    pthread_mutex_lock(&lock);
    // Workers that have not woken yet would find no task left: release their slots.
    open_slots = 0;
    while (working > 0) pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
}
