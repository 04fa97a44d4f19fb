/// A layer the importer has recognised in an ONNX graph, with its weights,
/// before the whole graph is read (an Elman layer learns whether it returns
/// its sequence only when a later node takes the last step; so do LSTM and GRU layers).
struct ONNXLayerDraft {
  enum Kind {
    case dense
    case elman
    case lstm
    case gru
    case standardize
    case dropout
  }

  var kind: Kind
  /// The node that made the layer, for messages.
  var node: String
  var units: Int
  var activation: Activation = .linear
  /// The gates' activation of an LSTM or GRU layer.
  var recurrentActivation: Activation = .sigmoid
  /// Whether a GRU layer applies its reset gate after the recurrent product.
  var resetAfter = true
  var kernel: Tensor<Float>?
  var recurrentKernel: Tensor<Float>?
  var bias: Tensor<Float>?
  var mean: Tensor<Float>?
  var std: Tensor<Float>?
  /// The weights by bpkit's names (`kernel`, `bias`, `mean`, `std`) as
  /// DOUBLE tensors held them, for a float64 model; a weight missing here
  /// came from another type or through an operation that rounds.
  var exact: [String: Tensor<Double>] = [:]
  /// A dropout layer's rate.
  var rate = 0.0
  /// A later node takes the last step of this recurrent layer's sequence.
  var takesLastStep = false
  /// This recurrent layer's whole sequence goes on (into another recurrent layer or the output).
  var feedsSequence = false

  /// The layer under `name`, with its weights keyed as bpkit keys them, and
  /// the same weights exact in Double when every one of them is in ``exact``.
  func layer(named name: String) -> (Layer, [ParameterKey: Tensor<Float>], exact: [ParameterKey: Tensor<Double>]?) {
    var parameters: [ParameterKey: Tensor<Float>] = [:]
    var exactParameters: [ParameterKey: Tensor<Double>]? = [:]
    func put(_ weight: String, _ tensor: Tensor<Float>?) {
      guard let tensor else { return }
      parameters[ParameterKey(layer: name, name: weight)] = tensor
      if let value = exact[weight] {
        exactParameters?[ParameterKey(layer: name, name: weight)] = value
      } else if kind == .standardize && exact.count == 1 && (mean == nil || std == nil) {
        // The one of mean and std the graph left out: bpkit's default, exact in either precision.
        exactParameters?[ParameterKey(layer: name, name: weight)] = Tensor(widening: tensor)
      } else {
        exactParameters = nil
      }
    }
    let kind: LayerKind
    switch self.kind {
    case .dense:
      kind = .dense(units: units, activation: activation, useBias: bias != nil)
      put("kernel", kernel)
      put("bias", bias)
    case .elman:
      kind = .elman(units: units, activation: activation, useBias: bias != nil, returnSequences: !takesLastStep)
      put("kernel", kernel)
      put("recurrent_kernel", recurrentKernel)
      put("bias", bias)
    case .lstm, .gru:
      let settings = GatedRecurrentSettings(
        units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: bias != nil,
        returnSequences: !takesLastStep)
      // unit_forget_bias only says how Keras initialises the bias; the weights here are given.
      kind = self.kind == .lstm ? .lstm(settings, unitForgetBias: true) : .gru(settings, resetAfter: resetAfter)
      put("kernel", kernel)
      put("recurrent_kernel", recurrentKernel)
      put("bias", bias)
    case .standardize:
      kind = .standardize
      put("mean", mean ?? Tensor(repeating: 0, shape: [units]))
      put("std", std ?? Tensor(repeating: 1, shape: [units]))
    case .dropout:
      kind = .dropout(rate: rate)
    }
    return (Layer(name: name, kind: kind), parameters, exactParameters)
  }

  /// The name the importer gives the layer at `index` of its kind (`dense_1`, `elman_1`, `lstm_1`, `gru_1`, `standardize_1`, `dropout_1`).
  func defaultName(ordinal: Int) -> String {
    switch kind {
    case .dense: "dense_\(ordinal)"
    case .elman: "elman_\(ordinal)"
    case .lstm: "lstm_\(ordinal)"
    case .gru: "gru_\(ordinal)"
    case .standardize: "standardize_\(ordinal)"
    case .dropout: "dropout_\(ordinal)"
    }
  }
}
