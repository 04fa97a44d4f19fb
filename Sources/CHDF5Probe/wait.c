// Starting and waiting for the probe: see bpk_probe_close_from and
// bpk_probe_wait_descriptor in CHDF5Probe.h.
#define _GNU_SOURCE
#include "CHDF5Probe.h"

#include <errno.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

int bpk_probe_wait_descriptor(int pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int bpk_probe_close_from(posix_spawn_file_actions_t *actions, int lowest) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
#else
    (void)actions;
    (void)lowest;
    return ENOSYS;
#endif
}
