/// Nodes applied in order, and the folding of what does not depend on the
/// network's data: the shape arithmetic exporters leave behind
/// (`Shape`→`Gather`→`Unsqueeze`→`Concat` into a `Reshape` or a
/// `ConstantOfShape`), and constant weights they transpose.
extension ONNXImporter {
  /// The operators folded when none of their inputs is the network's data.
  static let foldedOperators: Set<String> = [
    "Constant", "ConstantOfShape", "Expand", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast",
    "Identity", "Reshape", "Transpose", "Add", "Sub", "Mul", "Div",
  ]

  mutating func apply(_ node: Onnx_NodeProto, name: String) throws {
    var attributes: [String: Onnx_AttributeProto] = [:]
    for attribute in node.attribute where attributes[attribute.name] == nil { attributes[attribute.name] = attribute }
    let inputs: [ONNXValue?] = try node.input.map { input in
      guard !input.isEmpty else { return nil }
      guard let value = values[input] else {
        throw ONNXError.unsupportedGraph(file: file, detail: "node '\(name)' uses '\(input)' before any node makes it")
      }
      return value
    }
    guard !node.output.isEmpty else { return }
    if node.opType == "Loop" {
      try loop(node, name: name, inputs: inputs, attributes: attributes)
      return
    }
    if isLoopCondition(node, inputs: inputs) {
      values[node.output[0]] = .condition
      return
    }
    if continuesRecurrence(node, inputs: inputs) {
      try applyToRecurrence(node, name: name, inputs: inputs, attributes: attributes)
      return
    }
    if let dataIndex = inputs.firstIndex(where: { if case .data = $0 { true } else { false } }) {
      try applyToData(node, name: name, inputs: inputs, dataIndex: dataIndex, attributes: attributes)
      return
    }
    guard Self.foldedOperators.contains(node.opType) else {
      throw ONNXError.unsupportedOperator(file: file, opType: node.opType, node: name)
    }
    values[node.output[0]] = try fold(node, name, inputs: inputs, attributes: attributes)
  }

  private func fold(
    _ node: Onnx_NodeProto, _ name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto]
  ) throws -> ONNXValue {
    func input(_ index: Int) throws -> ONNXValue {
      guard index < inputs.count, let value = inputs[index] else {
        throw unsupported(node, name, "input \(index + 1) is missing")
      }
      return value
    }
    switch node.opType {
    case "Constant":
      return .constant(try constantAttribute(node, name, attributes))
    case "ConstantOfShape":
      let fill = try attributes["value"].map { try constant(from: $0.t) }
      let value = fill?.floats?.first ?? fill?.integers.map { Float($0.first ?? 0) } ?? 0
      let sizes = try sizes(of: try input(0), node, name)
      if let known = knownSizes(sizes) {
        let count = known.reduce(1, *)
        return fill?.integers != nil
          ? .constant(ONNXConstant(shape: known, integers: Array(repeating: Int64(value), count: count)))
          : .constant(ONNXConstant(shape: known, floats: Array(repeating: value, count: count)))
      }
      guard value == 0 else { throw unsupported(node, name, "it fills a shape known only at run time with \(value)") }
      return .zeros
    case "Expand":
      if case .zeros = try input(0) { return .zeros }
      guard case .constant(let value) = try input(0),
        (value.floats ?? value.integers.map { $0.map(Float.init) } ?? [1]).allSatisfy({ $0 == 0 })
      else {
        throw unsupported(node, name, "it expands a constant other than zero")
      }
      return .zeros
    case "Identity":
      return try input(0)
    case "Cast":
      // A cast to anything but DOUBLE leaves the exact values behind.
      guard case .constant(var value) = try input(0), attributes["to"]?.i != Int64(ONNXElementType.double.rawValue)
      else { return try input(0) }
      value.doubles = nil
      return .constant(value)
    case "Gather":
      let indices = try integers(try input(1), node, name)
      let axis = Int(attributes["axis"]?.i ?? 0)
      let source = try input(0)
      if case .zeros = source { return .zeros }
      if case .constant(let value) = source, value.shape.count == 2, value.floats != nil, axis == 0 {
        // A row of a 2-D constant (a layer's weights from a stacked tensor).
        let columns = value.shape[1]
        let rows = indices.map { Int($0 < 0 ? $0 + Int64(value.shape[0]) : $0) }
        guard rows.allSatisfy({ (0..<value.shape[0]).contains($0) }) else {
          throw unsupported(node, name, "an index is out of range")
        }
        let floats = rows.flatMap { value.floats![($0 * columns)..<(($0 + 1) * columns)] }
        let doubles = value.doubles.map { doubles in rows.flatMap { doubles[($0 * columns)..<(($0 + 1) * columns)] } }
        let vector = isVector(try input(1))
        return .constant(
          ONNXConstant(
            shape: (indices.count == 1 && !vector ? [] : [indices.count]) + [columns], floats: floats,
            doubles: doubles))
      }
      let entries = try sizes(of: source, node, name)
      let picked = try indices.map { index -> ONNXSymbolicSize in
        let position = Int(index < 0 ? index + Int64(entries.count) : index)
        guard axis == 0, (0..<entries.count).contains(position) else {
          throw unsupported(node, name, "index \(index) is out of range")
        }
        return entries[position]
      }
      return shapeValue(picked)
    case "Unsqueeze", "Squeeze", "Reshape":
      let source = try input(0)
      if case .zeros = source { return .zeros }
      if case .constant(var value) = source, node.opType == "Reshape" {
        let target = try sizes(of: try input(1), node, name)
        guard let known = knownSizes(target), !known.contains(0) || value.count == 0 else {
          throw unsupported(node, name, "it reshapes a constant to a shape known only at run time")
        }
        let rest = value.count / max(known.filter { $0 != -1 }.reduce(1, *), 1)
        value.shape = known.map { $0 == -1 ? rest : $0 }
        guard value.shape.reduce(1, *) == value.count else { throw unsupported(node, name, "the shapes do not match") }
        return .constant(value)
      }
      if case .constant(var value) = source {
        if node.opType == "Unsqueeze" {
          let axes = try axesArgument(node, name, inputs: inputs, attributes: attributes) ?? []
          for axis in axes.map({ $0 < 0 ? $0 + value.shape.count + axes.count : $0 }).sorted() {
            value.shape.insert(1, at: min(max(axis, 0), value.shape.count))
          }
        } else {
          let axes = try axesArgument(node, name, inputs: inputs, attributes: attributes)
          let drop = Set(
            (axes ?? value.shape.indices.filter { value.shape[$0] == 1 }).map { $0 < 0 ? $0 + value.shape.count : $0 })
          value.shape = value.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        }
        return .constant(value)
      }
      // A shape vector stays a vector of sizes, whatever its rank.
      return shapeValue(try sizes(of: source, node, name))
    case "Concat":
      if inputs.contains(where: { if case .zeros = $0 { true } else { false } }) { return .zeros }
      let parts = try inputs.compactMap { $0 }.map { try sizes(of: $0, node, name) }
      return shapeValue(parts.flatMap { $0 })
    case "Slice":
      let source = try input(0)
      if case .zeros = source { return .zeros }
      let entries = try sizes(of: source, node, name)
      let starts = try integers(try input(1), node, name)
      let ends = try integers(try input(2), node, name)
      guard starts.count == 1, ends.count == 1 else {
        throw unsupported(node, name, "it slices a constant on several axes")
      }
      let count = Int64(entries.count)
      func clamp(_ value: Int64) -> Int { Int(min(max(value < 0 ? value + count : value, 0), count)) }
      let (start, end) = (clamp(starts[0]), clamp(ends[0]))
      return shapeValue(start < end ? Array(entries[start..<end]) : [])
    case "Transpose":
      guard case .constant(let value) = try input(0), let floats = value.floats, value.shape.count == 2,
        (attributes["perm"]?.ints ?? [1, 0]) == [1, 0]
      else {
        throw unsupported(node, name, "it transposes something other than a 2-D float constant")
      }
      let transposed = ONNXExportPlan.transposed(Tensor(shape: value.shape, scalars: floats), prefix: 0)
      let doubles = value.doubles.map {
        Transposition.transposed($0, rows: value.shape[0], columns: value.shape[1])
      }
      return .constant(ONNXConstant(shape: transposed.shape, floats: transposed.scalars, doubles: doubles))
    default:
      // Add, Sub, Mul, Div of sizes, and of constants of the same shape.
      let (a, b) = (try input(0), try input(1))
      if case .constant(let x) = a, case .constant(let y) = b, let xs = x.floats, let ys = y.floats {
        guard xs.count == ys.count || ys.count == 1 || xs.count == 1 else {
          throw unsupported(node, name, "the shapes do not match")
        }
        let count = max(xs.count, ys.count)
        let combine: (Float, Float) -> Float =
          switch node.opType {
          case "Add": { $0 + $1 }
          case "Sub": { $0 - $1 }
          case "Mul": { $0 * $1 }
          default: { $0 / $1 }
          }
        let result = (0..<count).map { combine(xs[xs.count == 1 ? 0 : $0], ys[ys.count == 1 ? 0 : $0]) }
        // DOUBLE constants fold in Double too, as a runtime computes a DOUBLE graph.
        var doubles: [Double]?
        if let xd = x.doubles, let yd = y.doubles {
          let combine: (Double, Double) -> Double =
            switch node.opType {
            case "Add": { $0 + $1 }
            case "Sub": { $0 - $1 }
            case "Mul": { $0 * $1 }
            default: { $0 / $1 }
            }
          doubles = (0..<count).map { combine(xd[xd.count == 1 ? 0 : $0], yd[yd.count == 1 ? 0 : $0]) }
        }
        return .constant(
          ONNXConstant(shape: xs.count >= ys.count ? x.shape : y.shape, floats: result, doubles: doubles))
      }
      let (xs, ys) = (try sizes(of: a, node, name), try sizes(of: b, node, name))
      guard let x = knownSizes(xs), let y = knownSizes(ys), x.count == y.count || y.count == 1 else {
        throw unsupported(node, name, "it computes with sizes known only at run time")
      }
      let combine: (Int, Int) -> Int =
        switch node.opType {
        case "Add": { $0 + $1 }
        case "Sub": { $0 - $1 }
        case "Mul": { $0 * $1 }
        default: { $1 == 0 ? 0 : $0 / $1 }
        }
      return shapeValue(x.indices.map { .known(combine(x[$0], y[y.count == 1 ? 0 : $0])) })
    }
  }

  /// A `Constant` node's tensor, from whichever `value*` attribute it has.
  private func constantAttribute(_ node: Onnx_NodeProto, _ name: String, _ attributes: [String: Onnx_AttributeProto])
    throws -> ONNXConstant
  {
    if let tensor = attributes["value"] { return try constant(from: tensor.t) }
    if let value = attributes["value_float"] { return ONNXConstant(shape: [], floats: [value.f]) }
    if let value = attributes["value_floats"] { return ONNXConstant(shape: [value.floats.count], floats: value.floats) }
    if let value = attributes["value_int"] { return ONNXConstant(shape: [], integers: [value.i]) }
    if let value = attributes["value_ints"] { return ONNXConstant(shape: [value.ints.count], integers: value.ints) }
    throw unsupported(node, name, "it holds no tensor, float or integer value")
  }

  /// A vector of sizes: a shape value, or integer constants (some exporters write sizes as floats).
  func sizes(of value: ONNXValue?, _ node: Onnx_NodeProto, _ name: String) throws -> [ONNXSymbolicSize] {
    switch value {
    case .shape(let sizes): return sizes
    case .constant(let constant):
      guard let integers = constant.asIntegers else { throw unsupported(node, name, "a shape input is not integers") }
      return integers.map { .known(Int(clamping: $0)) }
    default:
      throw unsupported(node, name, "a shape input is not constant")
    }
  }

  private func integers(_ value: ONNXValue, _ node: Onnx_NodeProto, _ name: String) throws -> [Int64] {
    guard let known = knownSizes(try sizes(of: value, node, name)) else {
      throw unsupported(node, name, "its indices are known only at run time")
    }
    return known.map(Int64.init)
  }

  private func isVector(_ value: ONNXValue) -> Bool {
    if case .constant(let constant) = value { return !constant.shape.isEmpty }
    return true
  }

  private func knownSizes(_ sizes: [ONNXSymbolicSize]) -> [Int]? {
    var known: [Int] = []
    for size in sizes {
      guard case .known(let value) = size else { return nil }
      known.append(value)
    }
    return known
  }

  /// Sizes as a constant when all are known, else as a symbolic shape.
  private func shapeValue(_ sizes: [ONNXSymbolicSize]) -> ONNXValue {
    if let known = knownSizes(sizes) {
      return .constant(ONNXConstant(shape: [known.count], integers: known.map(Int64.init)))
    }
    return .shape(sizes)
  }
}
