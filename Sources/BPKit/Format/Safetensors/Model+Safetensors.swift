import Foundation

extension Model {
  /// Writes the model as a safetensors file whose tensors are named as
  /// PyTorch's `nn.Sequential` names them (Schemas/PYTORCH.md), replacing
  /// `url` atomically.
  ///
  /// `model.load_state_dict(safetensors.torch.load_file(path))` loads it
  /// into the module Schemas/PYTORCH.md builds. The network description is
  /// kept in the `bpkit.network` metadata entry, and the feature and class
  /// names in `bpkit.feature_names` and `bpkit.class_names` (JSON arrays of
  /// strings), so bpkit reads the file back as the same model, bit for bit.
  ///
  /// - Throws: ``SafetensorsError`` for a GRU with `reset_after=False`,
  ///   which `nn.GRU` cannot express; ``FormatError`` when the file cannot be written.
  package func writeSafetensors(to url: URL, options: FileWriteOptions = .init()) throws {
    try SafetensorsFile.write(self, to: url, options: options)
  }

  /// Reads a model from a safetensors file.
  ///
  /// A file bpkit wrote needs no `network`. A plain PyTorch `state_dict`
  /// takes the architecture from `network`: each layer takes the next
  /// module of its kind in the file (Schemas/PYTORCH.md), the two biases of
  /// an `nn.RNN` or `nn.LSTM` are summed in Float32 (rounded once), an
  /// `nn.GRU`'s are kept apart, as bpkit's `reset_after` GRU keeps them, and
  /// missing, extra or mis-shaped tensors are refused by name. A file whose
  /// tensors are all F64 (a float64 model's, or a float64 state_dict) is read
  /// as a float64 model, bit for bit; otherwise F32 is read as is, F64
  /// rounded to Float32, F16 and BF16 widened exactly. The header is checked, as safetensors specifies,
  /// before any tensor is allocated.
  ///
  /// - Throws: ``SafetensorsError`` naming the tensor or the part of the
  ///   header at fault; ``FormatError`` when the file cannot be read.
  package init(safetensorsContentsOf url: URL, network: NetworkDescription? = nil) throws {
    self = try SafetensorsFile.read(url, network: network)
  }
}

/// How a safetensors file is recognised, and what it holds.
public enum SafetensorsFormat {
  /// Whether the file at `path` starts as a safetensors file does: an 8-byte
  /// little-endian header length that fits in the file, then `{`.
  public static func looksLikeSafetensors(atPath path: String) -> Bool {
    guard let file = try? BinaryFile(reading: path), let size = try? file.size(), size >= 9,
      let head = try? file.read(count: 9, at: 0)
    else { return false }
    let length = head.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
    return head[8] == UInt8(ascii: "{") && length <= UInt64(size - 8)
  }

  /// The element types (`F32`, `F64`, `F16`, `BF16`) of the file's tensors.
  ///
  /// - Throws: ``BPKitError`` when the header is invalid.
  public static func elementTypes(ofFileAtPath path: String) throws(BPKitError) -> Set<String> {
    do {
      let header = try SafetensorsHeader(try BinaryFile(reading: path), path: path)
      return Set(header.entries.map(\.dtype.rawValue))

    } catch {
      throw BPKitError(error)
    }
  }

  /// What reading the file changes in its tensors, one sentence each, for
  /// a program to tell its user: F16 and BF16 are widened exactly to
  /// Float32, and F64 beside other types rounded to Float32, as bpkit
  /// stores a float32 model's weights. A file of F64 tensors only is read as
  /// a float64 model, unrounded, with no note.
  ///
  /// - Throws: ``BPKitError`` when the header is invalid.
  public static func readingNotes(ofFileAtPath path: String) throws(BPKitError) -> [String] {
    do {
      let types = try elementTypes(ofFileAtPath: path)
      var notes: [String] = []
      if types.contains("F16") || types.contains("BF16") {
        notes.append("F16 and BF16 tensors are widened exactly to Float32, as bpkit stores weights")
      }
      if types.contains("F64") && types.count > 1 {
        notes.append(
          "F64 tensors are rounded to Float32, as bpkit stores a float32 model's weights: the file mixes them "
            + "with \(types.subtracting(["F64"]).sorted().joined(separator: " and ")) tensors (a file of F64 tensors "
            + "only is read as a float64 model)")
      }
      return notes

    } catch {
      throw BPKitError(error)
    }
  }
}
