import HDF5

// Every error type BPKit throws, and its category: the one place a failure
// is classified, which `bpkit`'s exit codes follow.

extension FormatError: BPKitError {
  /// Failures to read or write the file are ``BPKitErrorCategory/io``;
  /// libhdf5's own failures take the category of the `HDF5Error` inside;
  /// everything else is input that is not what it must be.
  public var category: BPKitErrorCategory {
    switch self {
    case .hdf5(let underlying): underlying.category
    case .writeFailed, .readFailed: .io
    default: .badInput
    }
  }
}

extension HDF5Error: BPKitError {
  /// A missing or unreadable file, or one that exists where none may, is
  /// ``BPKitErrorCategory/io``. libhdf5 failing to read the structure of a
  /// file it has opened almost always means a damaged file (an address past
  /// its end, a bad message), so reads are bad input; failing to create,
  /// write or flush is I/O.
  public var category: BPKitErrorCategory {
    switch kind {
    case .fileNotFound, .permissionDenied, .notAFile, .alreadyExists: .io
    case .libraryFailure:
      ["read", "open", "inspect", "list", "look up", "check"].contains { operation.hasPrefix($0) } ? .badInput : .io
    default: .badInput
    }
  }
}

extension OpeningError: BPKitError {
  /// A missing or unreadable file, or no probe to run, is
  /// ``BPKitErrorCategory/io``; a file the policy refuses is bad input.
  public var category: BPKitErrorCategory {
    switch self {
    case .notFound, .permissionDenied, .probeUnavailable: .io
    default: .badInput
    }
  }
}

extension DataError: BPKitError {
  /// A missing or unreadable data file is ``BPKitErrorCategory/io``; bad values are bad input.
  public var category: BPKitErrorCategory {
    switch self {
    case .fileNotFound, .unreadable: .io
    default: .badInput
    }
  }
}

extension BPKitJSONError: BPKitError {
  /// A document that cannot be read or written is ``BPKitErrorCategory/io``;
  /// syntax and schema errors are bad input.
  public var category: BPKitErrorCategory {
    switch self {
    case .unreadable, .unwritable: .io
    default: .badInput
    }
  }
}

extension KerasError: BPKitError {
  /// Failed file operations are ``BPKitErrorCategory/io``; the rest is bad input.
  public var category: BPKitErrorCategory {
    if case .io = self { .io } else { .badInput }
  }
}

extension ONNXError: BPKitError {
  /// Failed file operations are ``BPKitErrorCategory/io``; the rest is bad input.
  public var category: BPKitErrorCategory {
    if case .io = self { .io } else { .badInput }
  }
}

extension SafetensorsError: BPKitError {
  /// Always ``BPKitErrorCategory/badInput``: the file is not what it must be.
  public var category: BPKitErrorCategory { .badInput }
}

extension TrainingError: BPKitError {
  /// ``BPKitErrorCategory/diverged`` for a loss that is not finite;
  /// ``BPKitErrorCategory/usage`` for a setting the run cannot take with the
  /// others, the model or the checkpoint; bad input otherwise.
  public var category: BPKitErrorCategory {
    switch self {
    case .diverged: .diverged
    case .invalidSetting: .usage
    default: .badInput
    }
  }
}

extension ModelError: BPKitError {
  /// Always ``BPKitErrorCategory/badInput``: the weights do not fit the network.
  public var category: BPKitErrorCategory { .badInput }
}

extension LayerSpecificationError: BPKitError {
  /// Always ``BPKitErrorCategory/usage``: the caller's layer specification.
  public var category: BPKitErrorCategory { .usage }
}

extension EngineError: BPKitError {
  /// Always ``BPKitErrorCategory/badInput``: inputs that do not fit the network.
  public var category: BPKitErrorCategory { .badInput }
}

extension KernelError: BPKitError {
  /// Always ``BPKitErrorCategory/usage``: a kernel path (`BPKIT_KERNELS`)
  /// this processor cannot run is a bad setting.
  public var category: BPKitErrorCategory { .usage }
}

extension RandomStateError: BPKitError {
  /// Always ``BPKitErrorCategory/badInput``: a stored generator state that cannot be.
  public var category: BPKitErrorCategory { .badInput }
}

extension ReportingError: BPKitError {
  /// A report that cannot be written is ``BPKitErrorCategory/io``; the rest is bad input.
  public var category: BPKitErrorCategory {
    if case .unwritable = self { .io } else { .badInput }
  }
}

extension OutputFileError: BPKitError {
  /// An output that is also an input is ``BPKitErrorCategory/usage`` (name
  /// another); every other refusal or failure of the writer is I/O.
  public var category: BPKitErrorCategory {
    if case .isAnInput = self { .usage } else { .io }
  }
}

extension WriterLockError: BPKitError {
  /// Always ``BPKitErrorCategory/io``: another process holds the file.
  public var category: BPKitErrorCategory { .io }
}

extension CheckpointExistsError: BPKitError {
  /// Always ``BPKitErrorCategory/usage``: resume it or allow overwriting it.
  public var category: BPKitErrorCategory { .usage }
}
