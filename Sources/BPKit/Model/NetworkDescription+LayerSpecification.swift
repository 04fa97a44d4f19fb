import Foundation

extension NetworkDescription {
  /// Reads the compact layer specification that `bpkit --layers` takes.
  ///
  /// Entries are separated by commas. The first is the input; each later one
  /// is a layer:
  ///
  /// ```
  /// specification := input ("," layer)+
  /// input         := FEATURES | STEPS "x" FEATURES | "?x" FEATURES
  /// layer         := dense | elman | lstm | gru | "std" | dropout
  /// dense         := UNITS (":" part)*              linear unless an activation is given
  /// elman         := "rnn" UNITS (":" part)*        tanh unless an activation is given
  /// lstm          := "lstm" UNITS (":" part)*       tanh and sigmoid gates unless given
  /// gru           := "gru" UNITS (":" part | ":reset_before")*
  /// dropout       := "dropout" RATE                  Keras' Dropout(RATE), 0 <= RATE < 1
  /// part          := activation | "seq" | "nobias" | "recurrent=" activation | penalty
  /// penalty       := ["bias_" | "recurrent_"] ("l1" | "l2") "=" FACTOR
  /// activation    := linear | sigmoid | tanh | relu | softmax | hard_sigmoid
  ///                | leaky_relu ["(" ALPHA ")"]     alpha 0.2 by default
  ///                | elu ["(" ALPHA ")"]            alpha 1 by default
  ///                | gelu | gelu_tanh | silu | swish | softplus | softsign
  ///                | selu | hard_silu | hard_swish | relu6 | exponential
  ///                | mish | log_softmax            Keras 3's (swish is silu)
  /// ```
  ///
  /// `seq` makes a recurrent layer return its whole sequence (Keras's
  /// `return_sequences=True`), as a recurrent layer feeding another one must;
  /// a dense layer after a sequence applies to every step. `nobias` drops the
  /// bias. For `lstm` and `gru` (Keras 3's `LSTM` and `GRU`, with
  /// `unit_forget_bias` and `reset_after=True`), the activation is φ and
  /// `recurrent=` sets the gates' σ (e.g. `recurrent=hard_sigmoid`);
  /// `reset_before` is Keras' `reset_after=False`. `std` is a standardize layer (mean 0, std 1 until training sets
  /// them). `dropout0.2` is a dropout layer (Keras' `Dropout(0.2)`): active
  /// in training, the identity in inference; after a layer that returns a
  /// sequence it drops each step's values independently. `?x16` accepts sequences of any length.
  ///
  /// A penalty regularizes a weight (see ``Regularizer``): `l2=0.01` is Keras'
  /// `kernel_regularizer=L2(0.01)`, `l1=` its `L1`, both together `L1L2`;
  /// `bias_l1=`/`bias_l2=` are `bias_regularizer`, and `recurrent_l1=`/
  /// `recurrent_l2=` (Elman, LSTM, GRU) `recurrent_regularizer`. FACTOR is a
  /// finite number of at least 0.
  ///
  /// Layers are named by kind and position among their kind, as Keras names
  /// them: `dense_1`, `dense_2`, `elman_1`, `lstm_1`, `gru_1`, `standardize_1`, `dropout_1`.
  ///
  /// Examples: `784,256:relu,128:relu,10:softmax`; `32x16,rnn64:tanh,1`;
  /// `20x3,rnn32:seq,rnn32,2:softmax`; `4,std,8:leaky_relu(0.1),1:sigmoid`;
  /// `32x16,lstm64:seq,gru32:reset_before,1`; `784,256:relu,dropout0.5,10:softmax`;
  /// `4,64:relu:l2=0.01:bias_l1=0.001,3:softmax`.
  ///
  /// - Throws: ``BPKitError`` naming the entry that cannot be read.
  public init(layerSpecification: String) throws(BPKitError) {
    do {
      let entries = layerSpecification.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      guard let first = entries.first, !first.isEmpty else { throw LayerSpecificationError.empty }
      let input = try Self.parseInput(first)
      guard entries.count > 1 else { throw LayerSpecificationError.noLayers }
      var layers: [Layer] = []
      var counts: [String: Int] = [:]
      for (index, entry) in entries.dropFirst().enumerated() {
        let (kind, regularizers) = try Self.parseLayer(entry, position: index + 1)
        counts[kind.typeName, default: 0] += 1
        layers.append(
          Layer(name: "\(kind.typeName)_\(counts[kind.typeName]!)", kind: kind, regularizers: regularizers))
      }
      let description = NetworkDescription(input: input, layers: layers)
      do {
        _ = try description.layerOutputShapes()
      } catch {
        guard case .sequenceInputRequired(let name) = error.reason(ModelError.self) else {
          throw LayerSpecificationError.invalidNetwork(error.reason(ModelError.self))
        }
        // Name the entries, and bpkit's :seq rather than Keras' return_sequences.
        let index = layers.firstIndex { $0.name == name } ?? 0
        let previous = layers[..<index].last { $0.kind.isRecurrent }
        let previousIndex = previous.flatMap { p in layers.firstIndex { $0.name == p.name } }
        throw LayerSpecificationError.vectorsIntoElman(
          position: index + 1, entry: entries[index + 1], previous: previousIndex.map { entries[$0 + 1] })
      }
      self = description

    } catch {
      throw BPKitError(error)
    }
  }

  private static func parseInput(_ entry: String) throws(LayerSpecificationError) -> InputShape {
    let parts = entry.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    switch parts.count {
    case 1:
      guard let features = Int(parts[0]), features > 0 else { throw .invalidInput(entry) }
      return .vector(features: features)
    case 2:
      guard let features = Int(parts[1]), features > 0 else { throw .invalidInput(entry) }
      if parts[0] == "?" { return .sequence(steps: nil, features: features) }
      guard let steps = Int(parts[0]), steps > 0 else { throw .invalidInput(entry) }
      return .sequence(steps: steps, features: features)
    default:
      throw .invalidInput(entry)
    }
  }

  private static func parseLayer(_ entry: String, position: Int) throws(LayerSpecificationError) -> (
    LayerKind, LayerRegularizers
  ) {
    func fail(_ reason: String) -> LayerSpecificationError {
      .invalidLayer(position: position, entry: entry, reason: reason)
    }
    if entry.isEmpty { throw fail("the entry is empty; remove the extra comma") }
    if entry == "std" { return (.standardize, .none) }
    if entry.hasPrefix("dropout") {
      let text = entry.dropFirst("dropout".count)
      guard let rate = Double(text), rate >= 0, rate < 1 else {
        throw fail("expected a dropout rate from 0 up to (not including) 1 after 'dropout', such as dropout0.2")
      }
      return (.dropout(rate: rate), .none)
    }
    let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    var head = parts[0]
    let family = ["rnn", "lstm", "gru"].first { head.hasPrefix($0) }
    if let family { head.removeFirst(family.count) }
    guard let units = Int(head), units > 0 else {
      throw fail(
        "expected a unit count such as 64 (dense), rnn64 (Elman), lstm64 or gru64, then ':' and an activation")
    }
    var activation: Activation?
    var recurrentActivation: Activation?
    var returnSequences = false
    var useBias = true
    var resetAfter = true
    var regularizers = LayerRegularizers.none
    for part in parts.dropFirst() {
      if let (weight, factor, value) = try parsePenalty(part, fail: fail) {
        guard weight != "recurrent" || family != nil else {
          throw fail(
            "'\(part)' regularizes the recurrent kernel of Elman, LSTM and GRU layers (rnnN, lstmN, gruN) only")
        }
        func set(_ regularizer: inout Regularizer?) throws(LayerSpecificationError) {
          var r = regularizer ?? Regularizer()
          guard (factor == "l1" ? r.l1 : r.l2) == 0 else {
            throw fail("'\(weight == "kernel" ? "" : weight + "_")\(factor)=' is given twice; give each factor once")
          }
          if factor == "l1" { r.l1 = value } else { r.l2 = value }
          regularizer = r
        }
        switch weight {
        case "kernel": try set(&regularizers.kernel)
        case "recurrent": try set(&regularizers.recurrentKernel)
        default: try set(&regularizers.bias)
        }
        continue
      }
      switch part {
      case "seq":
        guard family != nil else { throw fail("'seq' applies to recurrent layers (rnnN, lstmN, gruN) only") }
        returnSequences = true
      case "nobias":
        useBias = false
      case "reset_before":
        guard family == "gru" else { throw fail("'reset_before' applies to GRU layers (gruN) only") }
        resetAfter = false
      case _ where part.hasPrefix("recurrent="):
        guard family == "lstm" || family == "gru" else {
          throw fail("'recurrent=' sets the gates' activation of LSTM and GRU layers (lstmN, gruN) only")
        }
        guard recurrentActivation == nil else { throw fail("two recurrent activations given; a layer has one") }
        recurrentActivation = try parseActivation(String(part.dropFirst("recurrent=".count)), fail: fail)
      default:
        guard activation == nil else { throw fail("two activations given; a layer has one") }
        activation = try parseActivation(part, fail: fail)
      }
    }
    func gated() -> GatedRecurrentSettings {
      GatedRecurrentSettings(
        units: units, activation: activation ?? .tanh, recurrentActivation: recurrentActivation ?? .sigmoid,
        useBias: useBias, returnSequences: returnSequences)
    }
    if regularizers.bias != nil && !useBias {
      throw fail("'bias_l1=' and 'bias_l2=' regularize the bias, which 'nobias' removes; drop one of them")
    }
    let kind: LayerKind
    switch family {
    case "rnn":
      kind = .elman(
        units: units, activation: activation ?? .tanh, useBias: useBias, returnSequences: returnSequences)
    case "lstm":
      kind = .lstm(gated(), unitForgetBias: true)
    case "gru":
      kind = .gru(gated(), resetAfter: resetAfter)
    default:
      kind = .dense(units: units, activation: activation ?? .linear, useBias: useBias)
    }
    return (kind, regularizers)
  }

  /// Reads `l1=F`, `l2=F`, `bias_l1=F`, ... as (weight, factor, value), with
  /// weight `kernel`, `recurrent` or `bias`; `nil` when the part is no penalty.
  private static func parsePenalty(
    _ part: String, fail: (String) -> LayerSpecificationError
  ) throws(LayerSpecificationError) -> (String, String, Double)? {
    guard let equals = part.firstIndex(of: "=") else { return nil }
    var name = String(part[..<equals])
    var weight = "kernel"
    for prefix in ["bias_", "recurrent_"] where name.hasPrefix(prefix) {
      weight = String(prefix.dropLast())
      name.removeFirst(prefix.count)
    }
    guard name == "l1" || name == "l2" else { return nil }
    let text = part[part.index(after: equals)...]
    guard let value = Double(text), value.isFinite, value >= 0 else {
      throw fail("'\(text)' is not a factor for \(part[..<equals]); write a finite number of at least 0, e.g. l2=0.01")
    }
    return (weight, name, value)
  }

  private static func parseActivation(
    _ text: String, fail: (String) -> LayerSpecificationError
  ) throws(LayerSpecificationError) -> Activation {
    var name = text
    var alpha: Double?
    if let open = text.firstIndex(of: "(") {
      guard text.hasSuffix(")") else { throw fail("'\(text)' lacks its closing ')'") }
      name = String(text[..<open])
      let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
      guard let value = Double(inner), value.isFinite else {
        throw fail("'\(inner)' is not a number; write e.g. leaky_relu(0.1)")
      }
      guard name == "leaky_relu" || name == "elu" else {
        throw fail("activation \(name) takes no parameter; only leaky_relu and elu do")
      }
      alpha = value
    }
    guard let activation = Activation(name: name, alpha: alpha) else {
      throw fail(
        "unknown activation or option '\(text)'; expected one of \(Activation.names.joined(separator: ", ")), "
          + "seq, nobias or a penalty such as l2=0.01")
    }
    return activation
  }
}
