// bpkit-probe FILE: parses an HDF5 file's structure under limits on time and
// memory, for BPKit's opening policy, which runs it in a child process before
// libhdf5 reads an untrusted file in the program itself (see HDF5Probe).
import BPKit
import Foundation

exit(HDF5Probe.runChild(arguments: Array(CommandLine.arguments.dropFirst())))
