import HDF5

// Every specific reason BPKit fails for, and its code, category and file:
// the one place a failure is classified, which `bpkit`'s exit codes follow.

extension FormatError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .hdf5(let underlying): underlying.errorCode
    case .notBPKitFile, .wrongKind, .unknownKind: .wrongKindOfFile
    case .newerFormatVersion: .newerFormat
    case .invalidFormatVersion, .checksumMismatch, .fileDamaged: .damaged
    case .refused: .refused
    case .shapeMismatch, .invalidModel: .invalidModel
    case .missingObject, .missingAttribute, .wrongElementType, .invalidValue, .invalidNetwork, .unexpectedObject:
      .invalidFile
    case .readFailed: .readFailed
    case .writeFailed: .writeFailed
    }
  }

  /// Failures to read or write the file are I/O; libhdf5's own failures
  /// take the category of the `HDF5Error` inside; everything else is input
  /// that is not what it must be.
  var errorCategory: BPKitError.Category {
    switch self {
    case .hdf5(let underlying): underlying.errorCategory
    case .writeFailed, .readFailed: .io
    default: .badInput
    }
  }

  var errorFile: String? { file }
}

extension HDF5Error: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch kind {
    case .fileNotFound: .fileNotFound
    case .permissionDenied: .permissionDenied
    case .notAFile: .readFailed
    case .alreadyExists: .writeFailed
    case .notHDF5: .wrongKindOfFile
    case .corrupt: .damaged
    case .objectNotFound, .wrongObjectKind, .typeMismatch, .shapeMismatch: .invalidFile
    default: errorCategory == .io ? (isWrite ? .writeFailed : .readFailed) : .hdf5
    }
  }

  /// A missing or unreadable file, or one that exists where none may, is
  /// I/O. libhdf5 failing to read the structure of a file it has opened
  /// almost always means a damaged file (an address past its end, a bad
  /// message), so reads are bad input; failing to create, write or flush is I/O.
  var errorCategory: BPKitError.Category {
    switch kind {
    case .fileNotFound, .permissionDenied, .notAFile, .alreadyExists: .io
    case .libraryFailure: isWrite ? .io : .badInput
    default: .badInput
    }
  }

  private var isWrite: Bool {
    !["read", "open", "inspect", "list", "look up", "check"].contains { operation.hasPrefix($0) }
  }

  var errorFile: String? { file.isEmpty ? nil : file }
}

extension OpeningError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .notFound: .fileNotFound
    case .permissionDenied: .permissionDenied
    case .probeUnavailable, .notRegularFile, .deleted: .readFailed
    case .empty: .wrongKindOfFile
    case .tooLarge, .libraryCrashed, .libraryHung, .libraryFailed, .damagedAttributeMessage: .refused
    }
  }

  /// A missing or unreadable file, or no probe to run, is I/O; a file the
  /// policy refuses is bad input.
  var errorCategory: BPKitError.Category {
    switch self {
    case .notFound, .permissionDenied, .probeUnavailable, .deleted: .io
    default: .badInput
    }
  }

  var errorFile: String? { file }
}

extension DataError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .fileNotFound: .fileNotFound
    case .unreadable, .notRegularFile: .readFailed
    case .widthMismatch, .countMismatch, .wrongRank: .doesNotFit
    case .unsupportedElementType: .unsupported
    default: .invalidData
    }
  }

  /// A missing or unreadable data file is I/O; bad values are bad input.
  var errorCategory: BPKitError.Category {
    switch self {
    case .fileNotFound, .unreadable: .io
    default: .badInput
    }
  }

  var errorFile: String? {
    switch self {
    case .fileNotFound(let path), .unreadable(let path, _), .notRegularFile(let path, _): path
    default: nil
    }
  }
}

extension BPKitJSONError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .invalidSyntax, .schemaViolation: .invalidFile
    case .wrongDocumentKind: .wrongKindOfFile
    case .unreadable: .readFailed
    case .unwritable: .writeFailed
    }
  }

  /// A document that cannot be read or written is I/O; syntax and schema
  /// errors are bad input.
  var errorCategory: BPKitError.Category {
    switch self {
    case .unreadable, .unwritable: .io
    default: .badInput
    }
  }

  var errorFile: String? {
    switch self {
    case .invalidSyntax(let file, _, _, _), .schemaViolation(let file, _, _), .wrongDocumentKind(let file, _, _):
      file
    case .unreadable(let file, _), .unwritable(let file, _): file
    }
  }
}

extension KerasError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .notKerasModel: .wrongKindOfFile
    case .unsupportedLayers, .unsupportedModelClass, .cannotExport: .unsupported
    case .invalidConfiguration, .invalidWeights: .invalidFile
    case .refusedMember: .refused
    case .io: .readFailed
    }
  }

  /// Failed file operations are I/O; the rest is bad input.
  var errorCategory: BPKitError.Category {
    if case .io = self { .io } else { .badInput }
  }

  var errorFile: String? {
    switch self {
    case .notKerasModel(let file, _), .unsupportedLayers(let file, _), .unsupportedModelClass(let file, _),
      .invalidConfiguration(let file, _), .invalidWeights(let file, _, _), .refusedMember(let file, _, _),
      .io(let file, _):
      file
    case .cannotExport: nil
    }
  }
}

extension ONNXError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .notONNXModel: .wrongKindOfFile
    case .unsupportedOperator, .unsupportedNode, .unsupportedGraph, .unsupportedOpset, .cannotExport: .unsupported
    case .invalidTensor, .invalidMetadata: .invalidFile
    case .io: .readFailed
    }
  }

  /// Failed file operations are I/O; the rest is bad input.
  var errorCategory: BPKitError.Category {
    if case .io = self { .io } else { .badInput }
  }

  var errorFile: String? {
    switch self {
    case .notONNXModel(let file, _), .unsupportedOperator(let file, _, _), .unsupportedNode(let file, _, _, _),
      .unsupportedGraph(let file, _), .invalidTensor(let file, _, _), .invalidMetadata(let file, _),
      .io(let file, _):
      file
    case .unsupportedOpset, .cannotExport: nil
    }
  }

  var errorSetting: String? {
    if case .unsupportedOpset = self { "opset" } else { nil }
  }
}

extension SafetensorsError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .notSafetensors: .wrongKindOfFile
    case .headerTooLarge: .refused
    case .invalidHeader, .invalidTensor, .invalidLayout: .invalidFile
    case .needsLayers, .missingTensor, .unexpectedTensors, .shapeMismatch: .doesNotFit
    case .unsupportedLayer: .unsupported
    }
  }

  /// Always bad input: the file is not what it must be.
  var errorCategory: BPKitError.Category { .badInput }

  var errorFile: String? {
    switch self {
    case .notSafetensors(let file, _), .headerTooLarge(let file, _, _), .invalidHeader(let file, _),
      .invalidTensor(let file, _, _), .invalidLayout(let file, _), .needsLayers(let file),
      .missingTensor(let file, _, _), .unexpectedTensors(let file, _), .shapeMismatch(let file, _, _, _, _),
      .unsupportedLayer(let file, _, _):
      file
    }
  }

  var errorSetting: String? {
    switch self {
    case .needsLayers, .missingTensor, .unexpectedTensors, .shapeMismatch: "layers"
    default: nil
    }
  }
}

extension TrainingError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .diverged: .diverged
    case .dataChanged, .storedDataUnconfirmed: .dataChanged
    case .noTrainingSamples: .invalidData
    case .targetsDoNotFit, .inputsDoNotFit: .doesNotFit
    case .invalidSetting: .invalidSetting
    }
  }

  /// Diverged for a loss that is not finite; usage for a setting the run
  /// cannot take with the others, the model or the checkpoint; bad input
  /// otherwise.
  var errorCategory: BPKitError.Category {
    switch self {
    case .diverged: .diverged
    case .invalidSetting: .usage
    default: .badInput
    }
  }

  var errorFile: String? {
    switch self {
    case .diverged(_, _, _, let kept): kept
    case .dataChanged(_, let now): now.path
    case .storedDataUnconfirmed(_, let path, _): path
    default: nil
    }
  }
}

extension ModelError: BPKitErrorReason {
  /// The weights or the description do not make a model.
  var errorCode: BPKitError.Code { .invalidModel }
  /// Always bad input: the weights do not fit the network.
  var errorCategory: BPKitError.Category { .badInput }
  var errorFile: String? { nil }
}

extension LayerSpecificationError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .invalidLayerSpecification }
  /// Always usage: the caller's layer specification.
  var errorCategory: BPKitError.Category { .usage }
  var errorFile: String? { nil }
  var errorSetting: String? { "layers" }
}

extension EngineError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .invalidNetwork: .invalidModel
    case .invalidBPTTSteps, .invalidHyperparameter, .lossNeedsActivation, .labelsNeedCrossEntropy,
      .classWeightsNeedClassifier, .classWeightsForSequence, .classWeightCount, .invalidClassWeight, .dtypeMismatch,
      .probabilityClipNeedsProbabilities, .invalidProbabilityClip:
      .invalidSetting
    default: .doesNotFit
    }
  }

  /// Always bad input: inputs that do not fit the network.
  var errorCategory: BPKitError.Category { .badInput }
  var errorFile: String? { nil }
}

extension KernelError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .unsupportedKernelPath }
  /// Always usage: a kernel path this processor cannot run is a bad setting.
  var errorCategory: BPKitError.Category { .usage }
  var errorFile: String? { nil }
  var errorSetting: String? {
    if case .invalidEnvironment = self { "BPKIT_KERNELS" } else { nil }
  }
}

extension RandomStateError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .invalidFile }
  /// Always bad input: a stored generator state that cannot be.
  var errorCategory: BPKitError.Category { .badInput }
  var errorFile: String? { nil }
}

extension ReportingError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    switch self {
    case .unwritable: .writeFailed
    case .noAccuracy, .notAClassifier, .tooManyClasses, .noClassesAsked: .invalidSetting
    case .noHistory, .noCompletedEpoch: .nothingToReport
    }
  }

  /// A report that cannot be written is I/O; asking for a metric the run
  /// has not is usage; the rest is bad input.
  var errorCategory: BPKitError.Category {
    switch self {
    case .unwritable: .io
    case .noAccuracy, .notAClassifier, .tooManyClasses, .noClassesAsked: .usage
    case .noHistory, .noCompletedEpoch: .badInput
    }
  }

  var errorFile: String? {
    switch self {
    case .noHistory(let file, _), .noCompletedEpoch(let file), .unwritable(let file, _), .noAccuracy(let file, _, _),
      .notAClassifier(let file, _, _, _), .tooManyClasses(let file, _, _, _):
      file
    case .noClassesAsked: nil
    }
  }

  var errorSetting: String? {
    switch self {
    case .noAccuracy: "metric"
    case .notAClassifier(_, _, let setting, _), .tooManyClasses(_, let setting, _, _), .noClassesAsked(let setting, _):
      setting
    case .noHistory, .noCompletedEpoch, .unwritable: nil
    }
  }
}

extension OutputFileError: BPKitErrorReason {
  var errorCode: BPKitError.Code {
    if case .isAnInput = self { .outputIsAnInput } else { .writeFailed }
  }

  /// An output that is also an input is usage (name another); every other
  /// refusal or failure of the writer is I/O.
  var errorCategory: BPKitError.Category {
    if case .isAnInput = self { .usage } else { .io }
  }

  var errorFile: String? {
    switch self {
    case .isAnInput(let file, _), .unsupportedDestination(let file, _), .failed(let file, _, _): file
    }
  }
}

extension WriterLockError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .fileLocked }
  /// Always I/O: another process holds the file.
  var errorCategory: BPKitError.Category { .io }
  var errorFile: String? {
    switch self {
    case .held(let file, _): file
    }
  }
}

extension CheckpointExistsError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .checkpointExists }
  /// Always usage: resume it or allow overwriting it.
  var errorCategory: BPKitError.Category { .usage }
  var errorFile: String? { file }
}

extension DistributedError: BPKitErrorReason {
  var errorCode: BPKitError.Code { .communication }

  /// Usage for ranks started with different builds or arguments; I/O for a
  /// rank that failed or a transport that did.
  var errorCategory: BPKitError.Category {
    switch self {
    case .messageSize, .inputDiffers: .usage
    case .rankFailed, .transport: .io
    }
  }

  var errorFile: String? { nil }
}
