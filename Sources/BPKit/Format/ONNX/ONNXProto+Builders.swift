import Foundation

/// Short constructors for the ONNX messages the exporter writes.
extension Onnx_AttributeProto {
  static func float(_ name: String, _ value: Float) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .float
    attribute.f = value
    return attribute
  }

  static func int(_ name: String, _ value: Int) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .int
    attribute.i = Int64(value)
    return attribute
  }

  static func ints(_ name: String, _ values: [Int]) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .ints
    attribute.ints = values.map(Int64.init)
    return attribute
  }

  static func floats(_ name: String, _ values: [Float]) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .floats
    attribute.floats = values
    return attribute
  }

  static func string(_ name: String, _ value: String) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .string
    attribute.s = Data(value.utf8)
    return attribute
  }

  static func strings(_ name: String, _ values: [String]) -> Self {
    var attribute = Self()
    attribute.name = name
    attribute.type = .strings
    attribute.strings = values.map { Data($0.utf8) }
    return attribute
  }
}

extension Onnx_NodeProto {
  init(_ opType: String, name: String, inputs: [String], outputs: [String], attributes: [Onnx_AttributeProto] = []) {
    self.init()
    self.opType = opType
    self.name = name
    self.input = inputs
    self.output = outputs
    self.attribute = attributes
  }
}

/// ONNX's element types (`TensorProto.DataType`), by their numbers in onnx.proto.
enum ONNXElementType: Int32 {
  case float = 1
  case uint8 = 2
  case int8 = 3
  case int32 = 6
  case int64 = 7
  case float16 = 10
  case double = 11
  case bfloat16 = 16
}

extension Onnx_ValueInfoProto {
  /// A tensor value (FLOAT unless `elementType` says otherwise) whose
  /// dimensions are numbers or named symbols.
  init(name: String, dimensions: [ONNXDimension], elementType: ONNXElementType = .float) {
    self.init()
    self.name = name
    var tensor = Onnx_TypeProto.Tensor()
    tensor.elemType = elementType.rawValue
    tensor.shape.dim = dimensions.map { dimension in
      var proto = Onnx_TensorShapeProto.Dimension()
      switch dimension {
      case .fixed(let size): proto.dimValue = Int64(size)
      case .symbol(let name): proto.dimParam = name
      }
      return proto
    }
    type.tensorType = tensor
  }
}

/// One dimension of a graph input or output.
enum ONNXDimension: Hashable {
  case fixed(Int)
  case symbol(String)
}
