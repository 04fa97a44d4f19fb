/// tf2onnx's Keras `SimpleRNN`: an ONNX `Loop` over the time steps whose
/// body is the Elman recurrence, read as an Elman layer.
///
/// tf2onnx turns the `while` loop of a TensorFlow `SimpleRNN` into a `Loop`
/// node. Its body reads step `t` of the time-major input with `Gather`,
/// computes `h' = f(x_t·W + b + h·U)` (`MatMul`, `Add`, `MatMul`, `Add` and
/// the activation), counts `t + 1`, carries the step count and the weights
/// through unchanged, and emits `h'` as its one scan output: the layer's
/// sequence, `[steps, batch, units]`. The loop's condition (`Less` and `And`
/// of the counters and the step count) and its trip count (the step count)
/// run it over every step. Any other body is refused, naming the node of the
/// body that differs.
extension ONNXImporter {
  /// What the importer knows of a value inside a loop body.
  private enum BodyValue {
    /// The iteration number (the body's first input).
    case iteration
    /// A boolean or counter known only at run time, for the loop's condition.
    case condition
    /// The step count of the sequence (`steps`, or its known value).
    case steps
    /// The time counter carried through the loop, from 0.
    case time
    /// The time counter plus one.
    case nextTime
    /// The state carried through the loop, from zeros.
    case state
    /// A constant: a weight carried through the loop or a number of the body.
    case constant(ONNXConstant)
    /// Step `t` of the layer's input, of this many features.
    case step(features: Int)
    /// A sum of the recurrence's terms.
    case sum(Sum)
    /// The new state, `f(x_t·W + b + h·U)`.
    case newState(Activation, Sum)
  }

  /// The terms of `x_t·W + b + h·U` seen so far.
  private struct Sum {
    var kernel: ONNXConstant?
    var recurrentKernel: ONNXConstant?
    var bias: ONNXConstant?

    /// The two sums together, when no term is in both.
    func adding(_ other: Sum) -> Sum? {
      guard kernel == nil || other.kernel == nil, recurrentKernel == nil || other.recurrentKernel == nil,
        bias == nil || other.bias == nil
      else { return nil }
      return Sum(
        kernel: kernel ?? other.kernel, recurrentKernel: recurrentKernel ?? other.recurrentKernel,
        bias: bias ?? other.bias)
    }
  }

  /// A `Less` or `And` of run-time counters outside a loop body: the
  /// condition a `Loop` starts with.
  func isLoopCondition(_ node: Onnx_NodeProto, inputs: [ONNXValue?]) -> Bool {
    guard ["Less", "And"].contains(node.opType), !inputs.isEmpty else { return false }
    return inputs.allSatisfy { value in
      switch value {
      case .shape, .constant, .condition: true
      default: false
      }
    }
  }

  /// Reads a `Loop` node as the Elman layer whose recurrence its body computes.
  mutating func loop(
    _ node: Onnx_NodeProto, name: String, inputs: [ONNXValue?], attributes: [String: Onnx_AttributeProto]
  ) throws {
    let file = self.file
    func refuse(_ detail: String) -> ONNXError {
      .unsupportedNode(
        file: file, opType: "Loop", node: name,
        detail: detail + "; bpkit imports a Loop only as tf2onnx writes a Keras SimpleRNN, h = f(x_t·W + b + h·U)")
    }
    guard let body = attributes["body"]?.g else { throw refuse("it has no body graph") }
    guard inputs.count >= 2, body.input.count == inputs.count else {
      throw refuse("its body takes \(body.input.count) inputs for the loop's \(inputs.count)")
    }
    // The trip count and the first condition: every step of the sequence.
    guard let tripCount = inputs[0], isStepCount(tripCount) else {
      throw refuse("its trip count is not the sequence's step count")
    }
    if let condition = inputs[1] {
      switch condition {
      case .condition: break
      case .constant(let value) where (value.asIntegers ?? []) == [1]: break
      default: throw refuse("its first condition is not a run-time test of the step count")
      }
    }
    // The loop-carried values, by what they start from.
    var bodyValues: [String: BodyValue] = [body.input[0].name: .iteration, body.input[1].name: .condition]
    var carried: [BodyValue] = []
    for index in 2..<inputs.count {
      let start: BodyValue
      switch inputs[index] {
      case .zeros?: start = .state
      case .constant(let value)? where value.integers == [0] && value.shape.isEmpty: start = .time
      case .constant(let value)? where value.floats != nil: start = .constant(value)
      case let value? where isStepCount(value): start = .steps
      default:
        throw refuse(
          "its loop-carried input \(index + 1) is neither a weight, a zero state, a counter from 0 nor the step count")
      }
      carried.append(start)
      bodyValues[body.input[index].name] = start
    }
    guard carried.filter({ if case .state = $0 { true } else { false } }).count == 1,
      carried.filter({ if case .time = $0 { true } else { false } }).count == 1
    else {
      throw refuse("it carries \(carried.count) values without exactly one zero state and one time counter")
    }
    for tensor in body.initializer {
      bodyValues[tensor.name] = .constant(try constant(from: tensor))
    }
    var sequence: ONNXData?
    var sequenceName: String?
    for (position, bodyNode) in body.node.enumerated() {
      let nodeName = bodyNode.name.isEmpty ? "#\(position) (\(bodyNode.opType))" : bodyNode.name
      func refuseNode(_ detail: String) -> ONNXError {
        refuse("its body's \(bodyNode.opType) node '\(nodeName)' \(detail)")
      }
      // A body value, or an outer one (the input sequence, the step count).
      func value(_ input: String) throws -> BodyValue {
        if let known = bodyValues[input] { return known }
        switch values[input] {
        case .constant(let constant)?: return .constant(constant)
        case let outer? where isStepCount(outer): return .steps
        case .condition?: return .condition
        default: throw refuseNode("uses '\(input)', which is not a value the recurrence may use")
        }
      }
      guard bodyNode.output.count == 1 else { throw refuseNode("has \(bodyNode.output.count) outputs") }
      let arguments = bodyNode.input
      let result: BodyValue
      switch bodyNode.opType {
      case "Identity", "Cast":
        guard arguments.count == 1 else { throw refuseNode("takes \(arguments.count) inputs") }
        result = try value(arguments[0])
      case "Less", "And":
        for argument in arguments {
          switch try value(argument) {
          case .iteration, .condition, .steps, .time, .nextTime, .constant: break
          default: throw refuseNode("tests something other than the counters")
          }
        }
        result = .condition
      case "Gather":
        guard arguments.count == 2, bodyNode.attribute.allSatisfy({ $0.name != "axis" || $0.i == 0 }),
          case .time = try value(arguments[1]), case .data(let data)? = values[arguments[0]]
        else {
          throw refuseNode("does not take step t of the layer's time-major input")
        }
        guard data.axes.count == 3, data.axes[0] == .time, data.axes[1] == .batch, let features = data.features else {
          throw refuseNode("takes a step of data that is not [steps, batch, features]")
        }
        guard sequenceName == nil || sequenceName == arguments[0] else {
          throw refuseNode("reads a second sequence")
        }
        sequence = data
        sequenceName = arguments[0]
        result = .step(features: features)
      case "MatMul":
        guard arguments.count == 2, case .constant(let weight) = try value(arguments[1]), weight.floats != nil,
          weight.shape.count == 2
        else {
          throw refuseNode("is not a product with a 2-D weight")
        }
        switch try value(arguments[0]) {
        case .step(let features) where weight.shape[0] == features:
          result = .sum(Sum(kernel: weight))
        case .state where weight.shape[0] == weight.shape[1]:
          result = .sum(Sum(recurrentKernel: weight))
        default:
          throw refuseNode("multiplies something other than x_t by W or h by U")
        }
      case "Add":
        guard arguments.count == 2 else { throw refuseNode("takes \(arguments.count) inputs") }
        switch (try value(arguments[0]), try value(arguments[1])) {
        case (.time, .constant(let one)), (.constant(let one), .time):
          guard (one.asIntegers ?? []) == [1] else { throw refuseNode("adds \(one.asIntegers ?? []) to the time") }
          result = .nextTime
        case (.sum(let a), .sum(let b)):
          guard let sum = a.adding(b) else { throw refuseNode("adds a term of the recurrence twice") }
          result = .sum(sum)
        case (.sum(let a), .constant(let bias)), (.constant(let bias), .sum(let a)):
          guard bias.floats != nil, bias.shape.count == 1, let sum = a.adding(Sum(bias: bias)) else {
            throw refuseNode("adds something other than one bias vector")
          }
          result = .sum(sum)
        default:
          throw refuseNode("adds something other than the terms x_t·W, b and h·U")
        }
      default:
        guard arguments.count == 1, case .sum(let sum) = try value(arguments[0]), sum.kernel != nil,
          sum.recurrentKernel != nil,
          let activation = ONNXActivation.activation(
            opType: bodyNode.opType,
            attributes: Dictionary(bodyNode.attribute.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })),
          activation != .softmax
        else {
          throw refuseNode("is not an operator of the recurrence")
        }
        result = .newState(activation, sum)
      }
      bodyValues[bodyNode.output[0]] = result
    }
    // The body's outputs: the condition, each carried value's next value, then one scan output, h'.
    let carriedCount = carried.count
    guard body.output.count == carriedCount + 2 else {
      throw refuse("its body has \(body.output.count - 1 - carriedCount) scan outputs; a SimpleRNN has one, its states")
    }
    func output(_ index: Int) throws -> BodyValue {
      guard let value = bodyValues[body.output[index].name] else {
        throw refuse("its body's output \(index + 1) is not computed by the body")
      }
      return value
    }
    switch try output(0) {
    case .condition: break
    case .constant(let value) where (value.asIntegers ?? []) == [1]: break
    default: throw refuse("its body's condition is not a test of the counters")
    }
    var recurrence: (Activation, Sum)?
    for (index, start) in carried.enumerated() {
      let next = try output(index + 1)
      switch (start, next) {
      case (.time, .nextTime), (.steps, .steps): break
      case (.constant, _) where body.output[index + 1].name == body.input[index + 2].name: break
      case (.state, .newState(let activation, let sum)): recurrence = (activation, sum)
      default: throw refuse("its body does not carry loop value \(index + 1) as the recurrence does")
      }
    }
    guard let (activation, sum) = recurrence,
      case .newState(let scanned, let scannedSum) = try output(carriedCount + 1),
      scanned == activation, scannedSum.kernel?.floats == sum.kernel?.floats,
      scannedSum.recurrentKernel?.floats == sum.recurrentKernel?.floats, scannedSum.bias?.floats == sum.bias?.floats,
      let sequence, let kernel = sum.kernel, let recurrentKernel = sum.recurrentKernel,
      let inputWidth = sequence.features
    else {
      throw refuse("its body's scan output is not the new state h")
    }
    let units = kernel.shape[1]
    guard kernel.shape == [inputWidth, units], recurrentKernel.shape == [units, units],
      sum.bias.map({ $0.shape == [units] }) ?? true
    else {
      throw refuse("its weights have shapes \(kernel.shape), \(recurrentKernel.shape) for \(inputWidth) inputs")
    }
    try consume(sequence, intoSequence: true, node: name)
    var draft = ONNXLayerDraft(kind: .elman, node: name, units: units, activation: activation)
    draft.kernel = Tensor(shape: kernel.shape, scalars: kernel.floats!)
    draft.recurrentKernel = Tensor(shape: recurrentKernel.shape, scalars: recurrentKernel.floats!)
    draft.bias = sum.bias.map { Tensor(shape: [units], scalars: $0.floats!) }
    // The loop's outputs: the final carried values, then the sequence of states.
    for (index, start) in carried.enumerated() where uses[node.output[index], default: 0] > 0 {
      guard case .state = start else {
        throw refuse("the graph uses the loop's final value \(index + 1), which is not its state")
      }
      draft.takesLastStep = true
      values[node.output[index]] = .data(ONNXData(axes: [.batch, .feature(units)]))
    }
    layers.append(draft)
    if node.output.count > carriedCount {
      values[node.output[carriedCount]] = .data(
        ONNXData(axes: [.time, .batch, .feature(units)], sequenceSource: layers.count - 1))
    }
  }

  /// Whether `value` is the sequence's step count: `steps`, or its known value.
  private func isStepCount(_ value: ONNXValue) -> Bool {
    let sizes: [ONNXSymbolicSize]
    switch value {
    case .shape(let entries): sizes = entries
    case .constant(let constant):
      guard let integers = constant.asIntegers, integers.count == 1 else { return false }
      sizes = [.known(Int(clamping: integers[0]))]
    default: return false
    }
    guard sizes.count == 1 else { return false }
    switch (sizes[0], input) {
    case (.steps, _): return true
    case (.known(let count), .sequence(let steps?, _)): return count == steps
    default: return false
    }
  }
}
