// bpkit-probe FILE: parses an HDF5 file's structure under limits on time and
// memory, for BPKit's opening policy, which runs it in a child process before
// libhdf5 reads an untrusted file in the program itself (see HDF5Probe). It
// is written in C and linked with libhdf5 alone, so that it starts in about
// a millisecond: a program pays for a probe on every untrusted file it opens.
#include <CHDF5Probe.h>

int main(int argc, char **argv) {
    return argc < 2 ? 2 : bpk_probe_run(argv[argc - 1]);
}
