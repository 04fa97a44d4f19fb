/// The layout operators around layers: they move, add and drop axes of size
/// one, and take the last step of a sequence.
extension ONNXImporter {
  /// The axes a `Squeeze` or `Unsqueeze` names: an input from opset 13 on, an attribute before.
  func axesArgument(
    _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto]
  ) throws -> [Int]? {
    if let attribute = attributes["axes"] { return attribute.ints.map(Int.init) }
    guard inputs.count > 1, let axes = inputs[1] else { return nil }
    return try sizes(of: axes, node, name).map { size in
      guard case .known(let value) = size else { throw unsupported(node, name, "its axes are not constant") }
      return value
    }
  }

  func squeeze(_ data: ONNXData, _ axes: [Int]?, _ node: Onnx_NodeProto, _ name: String) throws -> ONNXData {
    let rank = data.axes.count
    let drop = Set((axes ?? data.axes.indices.filter { data.axes[$0] == .unit }).map { $0 < 0 ? $0 + rank : $0 })
    var result = data.closed
    result.axes = []
    for (index, axis) in data.axes.enumerated() {
      if drop.contains(index) {
        guard axis == .unit || axis == .feature(1) else {
          throw unsupported(node, name, "it squeezes axis \(index), which is not of size 1")
        }
      } else {
        result.axes.append(axis)
      }
    }
    return result
  }

  func unsqueeze(_ data: ONNXData, _ axes: [Int]?, _ node: Onnx_NodeProto, _ name: String) throws -> ONNXData {
    guard let axes else { throw unsupported(node, name, "it names no axes") }
    let rank = data.axes.count + axes.count
    var result = data.closed
    for axis in axes.map({ $0 < 0 ? $0 + rank : $0 }).sorted() {
      guard axis >= 0, axis <= result.axes.count else { throw unsupported(node, name, "axis \(axis) is out of range") }
      result.axes.insert(.unit, at: axis)
    }
    return result
  }

  /// `Flatten` of data whose axes after the batch are of size one but for the features.
  func flatten(_ data: ONNXData, axis: Int, _ node: Onnx_NodeProto, _ name: String) throws -> ONNXData {
    let normalized = axis < 0 ? axis + data.axes.count : axis
    let head = data.axes.prefix(normalized).filter { $0 != .unit }
    let tail = data.axes.dropFirst(normalized).filter { $0 != .unit }
    guard head == [.batch], tail.count <= 1, tail.allSatisfy({ if case .feature = $0 { true } else { false } }) else {
      throw unsupported(node, name, "it flattens axes bpkit keeps apart")
    }
    var result = data.closed
    result.axes = [.batch, tail.first ?? .feature(1)]
    return result
  }

  /// `Reshape` that only adds or drops axes of size one: the target's other
  /// entries must match the data's other axes in order.
  func reshape(_ data: ONNXData, target: [ONNXSymbolicSize], _ node: Onnx_NodeProto, _ name: String) throws
    -> ONNXData
  {
    let kept = data.axes.filter { $0 != .unit }
    var result = data.closed
    result.axes = []
    var next = 0
    for (index, size) in target.enumerated() {
      let axis: ONNXData.Axis
      switch size {
      case .known(1) where next >= kept.count || kept[next] != .feature(1): axis = .unit
      case .known(0) where index < data.axes.count: axis = data.axes[index]
      case .known(-1) where next < kept.count: axis = kept[next]
      case .known(let count) where next < kept.count && kept[next] == .feature(count): axis = kept[next]
      case .batch where next < kept.count && kept[next] == .batch: axis = .batch
      case .steps where next < kept.count && kept[next] == .time: axis = .time
      default:
        throw unsupported(node, name, "it reshapes \(describe(data.axes)) to \(describe(target)), which mixes axes")
      }
      if axis != .unit { next += 1 }
      result.axes.append(axis)
    }
    guard next == kept.count else {
      throw unsupported(node, name, "it reshapes \(describe(data.axes)) to \(describe(target)), which mixes axes")
    }
    return result
  }

  /// `Gather` of one index: the last step on the time axis, or the only entry of an axis of size one.
  mutating func gather(_ data: ONNXData, indices: ONNXConstant, axis: Int, _ node: Onnx_NodeProto, _ name: String)
    throws -> ONNXData
  {
    let normalized = axis < 0 ? axis + data.axes.count : axis
    guard let values = indices.asIntegers, values.count == 1, normalized >= 0, normalized < data.axes.count else {
      throw unsupported(node, name, "it gathers several indices")
    }
    var result = data.closed
    switch data.axes[normalized] {
    case .time:
      try takeLastStep(data, index: Int(values[0]), node, name)
      result.sequenceSource = nil
    case .unit where values[0] == 0 || values[0] == -1:
      break
    default:
      throw unsupported(node, name, "it gathers index \(values[0]) of an axis bpkit keeps whole")
    }
    if indices.shape.isEmpty {
      result.axes.remove(at: normalized)
    } else {
      result.axes[normalized] = .unit
    }
    return result
  }

  /// `Slice` that keeps every axis whole, except the time axis, of which it may keep the last step.
  mutating func slice(
    _ data: ONNXData, _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?],
    attributes: [String: Onnx_AttributeProto]
  ) throws -> ONNXData {
    func list(_ index: Int, _ attribute: String) throws -> [Int]? {
      if let value = attributes[attribute] { return value.ints.map(Int.init) }
      guard index < inputs.count, let value = inputs[index] else { return nil }
      guard case .constant(let constant) = value, let integers = constant.asIntegers else {
        throw unsupported(node, name, "its \(attribute) are not constant")
      }
      return integers.map { Int(clamping: $0) }
    }
    guard let starts = try list(1, "starts"), let ends = try list(2, "ends") else {
      throw unsupported(node, name, "it has no starts and ends")
    }
    let axes = try list(3, "axes") ?? Array(0..<starts.count)
    let steps = try list(4, "steps") ?? Array(repeating: 1, count: starts.count)
    var result = data.closed
    for (position, axis) in axes.enumerated() {
      let normalized = axis < 0 ? axis + data.axes.count : axis
      guard normalized >= 0, normalized < data.axes.count, steps[position] == 1 else {
        throw unsupported(node, name, "it slices axis \(axis) with step \(steps[position])")
      }
      let (start, end) = (starts[position], ends[position])
      let whole = start == 0 && end >= Int(Int32.max)
      switch data.axes[normalized] {
      case .time where !whole:
        var knownSteps = Int(Int32.max)
        if case .sequence(let steps?, _) = input { knownSteps = steps }
        guard end >= knownSteps else {
          throw unsupported(node, name, "it slices steps \(start)..<\(end); bpkit takes the last step or all")
        }
        try takeLastStep(data, index: start, node, name)
        result.axes[normalized] = .unit
        result.sequenceSource = nil
      case .unit where start == 0 || start == -1 || whole:
        break
      case _ where whole:
        break
      default:
        throw unsupported(node, name, "it slices \(start)..<\(end) of an axis bpkit keeps whole")
      }
    }
    return result
  }

  /// Marks the Elman layer that made `data`'s sequence as returning its last step.
  private mutating func takeLastStep(_ data: ONNXData, index: Int, _ node: Onnx_NodeProto, _ name: String) throws {
    var last = index == -1
    if case .sequence(let steps?, _) = input, index == steps - 1 { last = true }
    guard last, let source = data.sequenceSource else {
      throw unsupported(
        node, name, "it takes step \(index) of a sequence; bpkit takes the last step of an Elman layer's output")
    }
    layers[source].takesLastStep = true
  }

  /// The shape of `data` as `Shape` gives it, symbolic where it is known only at run time.
  func shape(of data: ONNXData, attributes: [String: Onnx_AttributeProto]) -> [ONNXSymbolicSize] {
    let sizes: [ONNXSymbolicSize] = data.axes.map { axis in
      switch axis {
      case .batch: .batch
      case .time:
        if case .sequence(let steps?, _) = input { .known(steps) } else { .steps }
      case .unit: .known(1)
      case .feature(let count): .known(count)
      }
    }
    // Opset 15's start and end attributes.
    let rank = sizes.count
    func clamp(_ value: Int64) -> Int { Swift.min(Swift.max(value < 0 ? Int(value) + rank : Int(value), 0), rank) }
    let start = attributes["start"].map { clamp($0.i) } ?? 0
    let end = attributes["end"].map { clamp($0.i) } ?? rank
    return start < end ? Array(sizes[start..<end]) : []
  }

  private func describe(_ axes: [ONNXData.Axis]) -> String {
    "["
      + axes.map { axis in
        switch axis {
        case .batch: "batch"
        case .time: "steps"
        case .unit: "1"
        case .feature(let count): String(count)
        }
      }.joined(separator: ", ") + "]"
  }

  private func describe(_ sizes: [ONNXSymbolicSize]) -> String {
    "["
      + sizes.map { size in
        switch size {
        case .known(let value): String(value)
        case .batch: "batch"
        case .steps: "steps"
        }
      }.joined(separator: ", ") + "]"
  }
}
