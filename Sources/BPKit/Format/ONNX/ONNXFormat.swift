import Foundation

/// The constants of bpkit's ONNX files, and how an ONNX file is recognised.
public enum ONNXFormat {
  /// The opsets bpkit writes (`--opset`).
  public static let opsets = 13...21
  /// The opset bpkit writes unless asked for another.
  public static let defaultOpset = 17
  /// The `producer_name` of the files bpkit writes.
  public static let producerName = "bpkit"
  /// The `metadata_props` key of the bpkit network description (JSON, as in a bpkit HDF5 file).
  public static let networkMetadataKey = "bpkit.network"
  /// The name of the graph input.
  public static let inputName = "input"
  /// The name of the graph output.
  public static let outputName = "output"
  /// Above this many bytes of weights a model is written in ONNX's
  /// external-data form: a protobuf message cannot exceed 2 GiB.
  public static let externalDataThreshold = 2_000_000_000

  /// The IR version that goes with an opset: the one of the ONNX release
  /// that introduced it (`onnx.helper.VERSION_TABLE`), so that every runtime
  /// reading that opset reads the file.
  static func irVersion(forOpset opset: Int) -> Int64 {
    switch opset {
    case ...14: 7
    case 15...18: 8
    case 19...20: 9
    default: 10
    }
  }

  /// Whether the file at `path` looks like an ONNX model: a protobuf whose
  /// first field is `ir_version` (field 1, a varint), as every exporter
  /// writes it, or a file named `.onnx` that no other reader claims.
  public static func looksLikeONNX(atPath path: String) -> Bool {
    if URL(fileURLWithPath: path).pathExtension.lowercased() == "onnx" { return true }
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 2)) ?? Data()
    return head.count == 2 && head[head.startIndex] == 0x08 && (1...32).contains(head[head.startIndex + 1])
  }
}
