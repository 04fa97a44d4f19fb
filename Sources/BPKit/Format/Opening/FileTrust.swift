/// How far bpkit trusts a file it is asked to open.
///
/// Every reader in BPKit (models, checkpoints, Keras files, training and
/// inference data, JSON documents) opens files through one policy, whose
/// steps are described in <doc:LoadingFiles>. The trust only decides the
/// last step for HDF5 content: whether libhdf5 first parses the file in a
/// child process. Everything else (the file kind and size, the whole-file
/// checksum, the structural walk, the shape and value checks) runs whatever
/// the trust.
public enum FileTrust: Sendable, Hashable {
  /// A file from anywhere: the default, and the right choice for any path a
  /// person or another file names.
  ///
  /// Before libhdf5 parses HDF5 content in this process, ``HDF5Probe``
  /// parses it in a child process with limits on time and memory. libhdf5 is
  /// not built to read hostile files: crafted or damaged files make it crash
  /// or loop, and a correct checksum proves only that a file is intact, not
  /// that it is benign. If the child crashes or runs out of time, the file
  /// is refused with ``BPKitError/Code/refused`` and this process never
  /// touches it.
  case untrusted

  /// A file this program wrote itself and kept in its own hands, such as a
  /// checkpoint it has just written: the child-process probe is skipped.
  ///
  /// Use it only when no one else could have replaced the file: a crafted
  /// file opened as trusted can crash the program.
  case trusted
}
