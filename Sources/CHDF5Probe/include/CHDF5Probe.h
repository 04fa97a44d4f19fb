// The HDF5 probe's walk (see HDF5Probe in BPKit), in C so that the probe
// program is a small executable that starts in about a millisecond.
#ifndef BPKIT_CHDF5PROBE_H
#define BPKIT_CHDF5PROBE_H

#include <spawn.h>

/// Datasets up to this many bytes are read whole by the probe, so that their
/// chunk indexes and filters are exercised, while big data stays unread.
#define BPK_PROBE_READ_LIMIT (16L << 20)
/// The probe's processor-time limit in seconds (RLIMIT_CPU).
#define BPK_PROBE_CPU_SECONDS 20
/// The probe's address-space limit in bytes (RLIMIT_AS).
#define BPK_PROBE_MEMORY_BYTES (4L << 30)

/// The probe's exit status when an attribute message in an object header
/// does not hold the parts it declares (a damaged size that would make
/// libhdf5 read past the header's buffer): found on the file's bytes before
/// libhdf5 decodes the message.
#define BPK_PROBE_DAMAGED_ATTRIBUTE 3

/// Limits this process's processor time, address space and core dumps, turns
/// libhdf5's plugin loading off, then opens the HDF5 file at `path` and
/// visits every group and dataset once (however many links name it): every
/// attribute of a type bpkit reads is read, and every dataset of at most
/// BPK_PROBE_READ_LIMIT bytes stored in the file itself is read whole.
///
/// A `path` of "-" alone means the file is held in memory by the parent,
/// which sends its bytes as standard input: they are opened as a file image.
///
/// Every object header's attribute messages are checked on the file's bytes
/// before libhdf5 decodes them (each must hold its name, datatype, dataspace
/// and data within its declared size).
///
/// Returns 0 when the walk finished, 1 when libhdf5 reported an error, and
/// BPK_PROBE_DAMAGED_ATTRIBUTE for a damaged attribute message.
/// A file that makes libhdf5 crash or loop ends the process by a signal
/// (SIGXCPU for a loop), which is what the parent process looks for.
int bpk_probe_run(const char *path);

/// A descriptor of the child process `pid` that poll(2) reports readable
/// once the child has ended (pidfd_open(2), Linux 5.3; close-on-exec), so
/// the parent sleeps until then rather than polling waitpid. Returns -1 with
/// errno set where the kernel has no pidfd_open (ENOSYS) or refuses it.
int bpk_probe_wait_descriptor(int pid);

/// Adds to `actions` the closing of every descriptor from `lowest` up in the
/// child (glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift
/// does not see). Returns 0, or an error number (ENOSYS before glibc 2.34),
/// when the caller must close the descriptors one by one.
int bpk_probe_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
