import Foundation

extension BPKitFile {
  /// Converts the file at `input` into a bpkit JSON document with base64
  /// tensors at `output`, streaming it when it is a bpkit HDF5 model file:
  /// each weight tensor is read in slices into one reused buffer and encoded
  /// straight into the output, so the conversion takes a few megabytes of
  /// memory instead of the model's size, and no time for the kernel to
  /// clear fresh pages for the weights.
  ///
  /// ```swift
  /// let options = FileWriteOptions(inputs: ["model.h5"], jsonWeights: .base64)
  /// if let file = try BPKitFile.writeJSONStreaming(
  ///   from: URL(fileURLWithPath: "model.h5"), to: URL(fileURLWithPath: "model.json"), options: options)
  /// {
  ///   try file.write(to: URL(fileURLWithPath: "model.json"), format: .json, options: options)
  /// }
  /// ```
  ///
  /// A streamed document is byte for byte the one ``open(_:trust:network:)``
  /// then ``write(to:format:options:)`` give, and the input is checked as
  /// ``open(_:trust:network:)`` checks it, refusing what it refuses with the
  /// same error; the destination, written by ``OutputFile``, is then unchanged.
  ///
  /// - Parameters:
  ///   - input: The file to convert.
  ///   - output: The document to write: streaming needs a regular file or a
  ///     new name (a device or standard output would keep what was written
  ///     before a refusal).
  ///   - trust: As in ``open(_:trust:network:)``.
  ///   - options: As in ``write(to:format:options:)``; streaming needs
  ///     ``BPKitJSON/WeightEncoding/base64`` weights.
  /// - Returns: `nil` when the document is written. Otherwise the file,
  ///   opened and loaded as ``open(_:trust:network:)`` loads it and not yet
  ///   written, for the caller to write (or to change first): a checkpoint,
  ///   a Keras, JSON, ONNX or safetensors file, numbers, or a destination
  ///   that is not a regular file.
  /// - Throws: The errors of ``open(_:trust:network:)`` and of ``write(to:format:options:)``.
  public static func writeJSONStreaming(
    from input: URL, to output: URL, trust: FileTrust = .untrusted, options: FileWriteOptions
  ) throws(BPKitError) -> BPKitFile? {
    do {
      let path = input.path
      guard Self.streams(output, options: options), try OpeningPolicy.content(of: path) == .hdf5 else {
        return try load(path, trust: trust).file
      }
      return try FormatError.wrappingHDF5Errors {
        let file = try OpeningPolicy.openHDF5(path, trust: trust)
        guard try !KerasLegacyHDF5.holdsKerasModel(file), try FileReader(file: file, path: path).kind == .model else {
          return try loadHDF5(file, path).file
        }
        try ModelJSON.stream(try FileReader(file: file, path: path), toPath: output.relativePath, options: options)
        return nil
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Whether a conversion to `output` with `options` can stream: base64
  /// into a regular file, on a little-endian machine (the tensors' bytes go
  /// out as they lie in memory).
  private static func streams(_ output: URL, options: FileWriteOptions) -> Bool {
    #if _endian(big)
      return false
    #else
      guard options.jsonWeights == .base64,
        case .file = (try? OutputDestination(output.relativePath, inputs: options.inputs))?.kind
      else { return false }
      return true
    #endif
  }
}

extension BPKitFile {
  /// Converts the file at `input` into a bpkit HDF5 file at `output`,
  /// streaming it when it is a bpkit JSON model document of float32
  /// weights: each base64 tensor is decoded in pieces of rows into one
  /// reused buffer and written straight into its dataset, so the weights
  /// are never held whole in memory.
  ///
  /// A streamed file is byte for byte the one ``open(_:trust:network:)``
  /// then ``write(to:format:options:)`` give, and the document is checked
  /// as ``open(_:trust:network:)`` checks it, with the same errors; a
  /// document with several faults may have another of them named first
  /// (base64 characters and values are checked as the file is written).
  /// The destination, written by ``OutputFile``, is then unchanged.
  ///
  /// - Parameters:
  ///   - input: The file to convert.
  ///   - output: The file to write: streaming needs a regular file or a new
  ///     name (a device or standard output would keep what was written
  ///     before a refusal).
  ///   - trust: As in ``open(_:trust:network:)``.
  ///   - options: As in ``write(to:format:options:)``.
  /// - Returns: `nil` when the file is written. Otherwise the file, opened
  ///   and loaded as ``open(_:trust:network:)`` loads it and not yet
  ///   written, for the caller to write (or to change first).
  /// - Throws: The errors of ``open(_:trust:network:)`` and of ``write(to:format:options:)``.
  public static func writeHDF5Streaming(
    from input: URL, to output: URL, trust: FileTrust = .untrusted, options: FileWriteOptions
  ) throws(BPKitError) -> BPKitFile? {
    do {
      let path = input.path
      #if _endian(big)
        return try load(path, trust: trust).file
      #else
        guard case .file = (try? OutputDestination(output.relativePath, inputs: options.inputs))?.kind,
          try OpeningPolicy.content(of: path) == .json
        else {
          return try load(path, trust: trust).file
        }
        guard
          let (document, _) = try BPKitJSON.streamModel(
            contentsOfFile: path, toHDF5: output.relativePath, options: options)
        else { return nil }
        switch document {
        case .model(let model): return .model(model)
        case .checkpoint(let checkpoint): return .checkpoint(checkpoint)
        }
      #endif

    } catch {
      throw BPKitError(error)
    }
  }
}
