extension BPKitError {
  /// What failed: a stable name a program can switch over. New codes may
  /// be added in later releases, so a `switch` needs a `default`.
  public enum Code: String, Sendable, Hashable, CaseIterable {
    // MARK: Usage: change the call

    /// A setting cannot be used, alone, with the others, with the model or
    /// with the checkpoint being resumed. ``BPKitError/setting`` names it
    /// when there is one name for it.
    case invalidSetting
    /// A layer specification (`"4,8:relu,3:softmax"`) does not parse or
    /// does not describe a network.
    case invalidLayerSpecification
    /// The kernel path asked for (`BPKIT_KERNELS`, ``Kernels/use(_:)``) is
    /// not one this processor runs.
    case unsupportedKernelPath
    /// An output is also one of the inputs; name another output.
    case outputIsAnInput
    /// A new run's checkpoint already exists and the run was told neither
    /// to resume it nor to replace it.
    case checkpointExists

    // MARK: I/O: the file system refused

    /// A file does not exist.
    case fileNotFound
    /// A file or its folder cannot be opened for lack of permission.
    case permissionDenied
    /// Reading a file failed, or what was named is not a file that can be read.
    case readFailed
    /// Writing a file failed (a full disk, a folder named as output, a
    /// failed rename); the previous file, if any, is unchanged.
    case writeFailed
    /// Another process is writing the same destination.
    case fileLocked

    // MARK: Bad input: a file or data is not what it must be

    /// The file is not of the kind asked for: not a bpkit model or
    /// checkpoint, a checkpoint where a model was asked for, not a Keras,
    /// ONNX or safetensors file.
    case wrongKindOfFile
    /// The file was written by a newer bpkit in a layout this one cannot read.
    case newerFormat
    /// The file's bytes are damaged: a checksum does not match, the file is
    /// truncated, a stored version cannot be.
    case damaged
    /// The file holds something bpkit refuses to read from a file it did
    /// not write (an external link, a filter plug-in, a size out of bounds),
    /// or reading it crashed or hung the isolated reader.
    case refused
    /// The file breaks its format: a missing or unexpected object, a
    /// schema violation, bad syntax, a value that cannot be.
    case invalidFile
    /// The file is valid but uses something bpkit does not support (a
    /// layer, an operator, an element type), or a model cannot be expressed
    /// in the format asked for.
    case unsupported
    /// The network or its weights are not a usable model (no layers, a
    /// duplicate name, a missing or misshapen weight, bad names).
    case invalidModel
    /// Inputs, targets or stored optimizer state do not fit the network.
    case doesNotFit
    /// Data cannot be used: a value that is not a number or not finite, a
    /// ragged row, an unknown column or class, no rows.
    case invalidData
    /// The data on resume is not the data the checkpoint was trained on.
    case dataChanged
    /// A report asks for something the file does not hold (a plot of a
    /// file with no training history).
    case nothingToReport

    // MARK: Training

    /// The loss became NaN or infinite: training diverged.
    case diverged

    // MARK: Several processes

    /// A rank of a distributed run failed, or the messages between the
    /// ranks did not arrive as sent (see ``DistributedError``).
    case communication

    // MARK: Other

    /// libhdf5 failed in a way no other code describes; the
    /// ``BPKitError/underlying`` `HDF5Error` holds its messages.
    case hdf5
    /// An error from outside BPKit (the system, Foundation, a closure of
    /// yours) that no other code describes.
    case other
  }
}
