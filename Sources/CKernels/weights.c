// Room for weights that every call streams whole (one sample through a
// network reads each weight once): on Linux, in 2 MiB pages. A core's L2 cache
// picks a line's place by its physical address, and 4 KiB pages scatter a
// buffer over physical memory at random, so that a network of nearly the
// cache's size keeps evicting its own lines from the sets that too many of its
// pages share. One huge page is contiguous, and fills the cache set by set.
// Where the numbers lie never changes one.
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "CKernels.h"

enum { HUGE_PAGE = 1 << 21 };

float *bpk_weights_allocate(long count) {
    size_t bytes = sizeof(float) * (size_t)(count > 0 ? count : 1);
    void *memory = NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= BPK_WEIGHTS_HUGE_MINIMUM) {
        // Whole huge pages: the kernel backs only an aligned 2 MiB range that
        // the mapping holds entirely.
        size_t whole = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        memory = aligned_alloc(HUGE_PAGE, whole);
        // A refusal leaves 4 KiB pages: slower, the same numbers.
        if (memory) (void)madvise(memory, whole, MADV_HUGEPAGE);
    }
#endif
    if (!memory) memory = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (memory) memset(memory, 0, bytes);
    return memory;
}
