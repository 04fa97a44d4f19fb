/// Where each of a bpkit network's weights lives in a PyTorch `state_dict`
/// (Schemas/PYTORCH.md): the names the modules of the `nn.Sequential` that
/// the documented snippet builds give them, and how each maps onto bpkit's
/// tensors.
///
/// A dense layer is an `nn.Linear` (`weight` [out, in] = kernelᵀ, `bias`),
/// followed by its activation module when it has one; an Elman layer an
/// `nn.RNN` (`weight_ih_l0` = kernelᵀ, `weight_hh_l0` = recurrent_kernelᵀ,
/// `bias_ih_l0` = bias, `bias_hh_l0` = 0); an LSTM layer an `nn.LSTM`
/// (the same names; PyTorch's gate order i, f, g, o is Keras' i, f, c, o);
/// a GRU layer (`reset_after`) an `nn.GRU` (PyTorch's gate order r, z, n
/// for Keras' z, r, h; `bias_ih_l0` and `bias_hh_l0` are Keras' input and
/// recurrent biases); a standardize layer a module with buffers `mean` and
/// `std`; a dropout layer an `nn.Dropout`, which holds no tensors. Modules are numbered as `nn.Sequential` numbers
/// them, activation modules included.
struct PyTorchLayout {
  /// One tensor of the state_dict.
  struct Item {
    enum Role {
      /// Stored as bpkit stores it.
      case same(ParameterKey)
      /// A 2-D weight stored transposed: PyTorch's [out, in] for bpkit's [in, out].
      case transposed(ParameterKey)
      /// PyTorch's second RNN bias: zero on export, added to the first on import.
      case secondBias(ParameterKey)
      /// A GRU's 2-D weight stored transposed, its gate blocks swapped
      /// between Keras' z, r, h and PyTorch's r, z, n (``PyTorchGates``).
      case transposedGRU(ParameterKey)
      /// Row `row` of a GRU's [2, 3·units] bias (input, recurrent), its gate blocks swapped.
      case gruBias(ParameterKey, row: Int)
    }

    var name: String
    /// The tensor's shape in PyTorch.
    var shape: [Int]
    var role: Role
    var layer: String
  }

  var items: [Item]

  /// The names of `network` as the documented `nn.Sequential` has them.
  init(sequential network: NetworkDescription, file: String) throws {
    try Self.refuseUnmapped(network, file: file)
    var index = 0
    let modules = network.layers.map { layer -> String in
      defer {
        if case .dense(_, let activation, _) = layer.kind, activation != .linear { index += 2 } else { index += 1 }
      }
      return String(index)
    }
    try self.init(network, modules: modules.map { ($0, 0) })
  }

  /// The names of `network` in a plain state_dict with these tensor names:
  /// each layer takes the next module of its kind (`nn.Linear` for dense,
  /// the next recurrent module layer `_lK` (`nn.RNN`, `nn.LSTM`, `nn.GRU`,
  /// told apart by the shapes only) for Elman, LSTM and GRU, a `mean`/`std` module for
  /// standardize), modules in their natural order (numbers as numbers).
  init(network: NetworkDescription, matching names: [String], file: String) throws {
    try Self.refuseUnmapped(network, file: file)
    var linear: [String] = []
    var recurrent: [(String, Int)] = []
    var standardize: [String] = []
    for name in names {
      let (prefix, last) = Self.split(name)
      if let k = Self.recurrentLayer(last) {
        if !recurrent.contains(where: { $0 == (prefix, k) }) { recurrent.append((prefix, k)) }
      } else if last == "weight" {
        linear.append(prefix)
      } else if last == "mean" {
        standardize.append(prefix)
      }
    }
    linear.sort { Self.naturalOrder($0, $1) }
    standardize.sort { Self.naturalOrder($0, $1) }
    recurrent.sort { $0.0 == $1.0 ? $0.1 < $1.1 : Self.naturalOrder($0.0, $1.0) }
    var modules: [(String, Int)] = []
    for layer in network.layers {
      let next: (String, Int)?
      switch layer.kind {
      case .dense: next = linear.isEmpty ? nil : (linear.removeFirst(), 0)
      case .elman, .lstm, .gru: next = recurrent.isEmpty ? nil : recurrent.removeFirst()
      case .standardize: next = standardize.isEmpty ? nil : (standardize.removeFirst(), 0)
      // An nn.Dropout holds no tensors: nothing in the state_dict to match.
      case .dropout: next = ("", 0)
      }
      guard let next else {
        let wanted =
          switch layer.kind {
          case .dense: "an nn.Linear's weight"
          case .elman: "an nn.RNN layer's weight_ih_lK"
          case .lstm: "an nn.LSTM layer's weight_ih_lK"
          case .gru: "an nn.GRU layer's weight_ih_lK"
          case .standardize: "a mean and std"
          case .dropout: "nothing"
          }
        throw SafetensorsError.missingTensor(file: file, name: wanted, layer: layer.name)
      }
      modules.append(next)
    }
    try self.init(network, modules: modules)
  }

  private init(_ network: NetworkDescription, modules: [(prefix: String, k: Int)]) throws {
    items = []
    var width = network.input.features
    for (layer, module) in zip(network.layers, modules) {
      func name(_ parameter: String) -> String { module.prefix.isEmpty ? parameter : "\(module.prefix).\(parameter)" }
      func key(_ parameter: String) -> ParameterKey { ParameterKey(layer: layer.name, name: parameter) }
      switch layer.kind {
      case .dense(let units, _, let useBias):
        items.append(
          Item(name: name("weight"), shape: [units, width], role: .transposed(key("kernel")), layer: layer.name))
        if useBias {
          items.append(Item(name: name("bias"), shape: [units], role: .same(key("bias")), layer: layer.name))
        }
        width = units
      case .elman(let units, _, let useBias, _):
        let k = module.k
        items.append(
          Item(
            name: name("weight_ih_l\(k)"), shape: [units, width], role: .transposed(key("kernel")), layer: layer.name))
        items.append(
          Item(
            name: name("weight_hh_l\(k)"), shape: [units, units], role: .transposed(key("recurrent_kernel")),
            layer: layer.name))
        if useBias {
          items.append(Item(name: name("bias_ih_l\(k)"), shape: [units], role: .same(key("bias")), layer: layer.name))
          items.append(
            Item(name: name("bias_hh_l\(k)"), shape: [units], role: .secondBias(key("bias")), layer: layer.name))
        }
        width = units
      case .lstm(let settings, _):
        appendRecurrent(
          name, key, layer: layer.name, k: module.k, rows: 4 * settings.units, units: settings.units, width: width,
          useBias: settings.useBias, gru: false)
        width = settings.units
      case .gru(let settings, _):
        appendRecurrent(
          name, key, layer: layer.name, k: module.k, rows: 3 * settings.units, units: settings.units, width: width,
          useBias: settings.useBias, gru: true)
        width = settings.units
      case .standardize:
        items.append(Item(name: name("mean"), shape: [width], role: .same(key("mean")), layer: layer.name))
        items.append(Item(name: name("std"), shape: [width], role: .same(key("std")), layer: layer.name))
      case .dropout:
        break
      }
    }
  }

  /// An `nn.LSTM` or `nn.GRU` layer `_lK`: weights of `rows` = gates·units
  /// rows, and its two biases.
  private mutating func appendRecurrent(
    _ name: (String) -> String, _ key: (String) -> ParameterKey, layer: String, k: Int, rows: Int, units: Int,
    width: Int, useBias: Bool, gru: Bool
  ) {
    func weight(_ parameter: String) -> Item.Role { gru ? .transposedGRU(key(parameter)) : .transposed(key(parameter)) }
    items.append(Item(name: name("weight_ih_l\(k)"), shape: [rows, width], role: weight("kernel"), layer: layer))
    items.append(
      Item(name: name("weight_hh_l\(k)"), shape: [rows, units], role: weight("recurrent_kernel"), layer: layer))
    guard useBias else { return }
    let (first, second): (Item.Role, Item.Role) =
      gru
      ? (.gruBias(key("bias"), row: 0), .gruBias(key("bias"), row: 1)) : (.same(key("bias")), .secondBias(key("bias")))
    items.append(Item(name: name("bias_ih_l\(k)"), shape: [rows], role: first, layer: layer))
    items.append(Item(name: name("bias_hh_l\(k)"), shape: [rows], role: second, layer: layer))
  }

  /// Refuses what PyTorch's modules cannot express: a GRU with
  /// `reset_after=False`, whose reset gate multiplies h_{t−1} before the
  /// recurrent product, where `nn.GRU` multiplies after it.
  private static func refuseUnmapped(_ network: NetworkDescription, file: String) throws(SafetensorsError) {
    for layer in network.layers {
      guard case .gru(_, resetAfter: false) = layer.kind else { continue }
      throw .unsupportedLayer(
        file: file, layer: layer.name,
        detail: "is a GRU with reset_after=False (gruN:reset_before), which PyTorch's nn.GRU cannot express (it "
          + "applies the reset gate after the recurrent product, as reset_after=True does); convert the model to "
          + "HDF5, Keras or ONNX instead")
    }
  }

  private static func split(_ name: String) -> (prefix: String, last: String) {
    guard let dot = name.lastIndex(of: ".") else { return ("", name) }
    return (String(name[..<dot]), String(name[name.index(after: dot)...]))
  }

  /// K of `weight_ih_lK`, `weight_hh_lK`, `bias_ih_lK` or `bias_hh_lK`.
  private static func recurrentLayer(_ last: String) -> Int? {
    for stem in ["weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"] where last.hasPrefix(stem) {
      return Int(last.dropFirst(stem.count))
    }
    return nil
  }

  /// Dotted names compared part by part, numbers as numbers (`2.weight` before `10.weight`).
  static func naturalOrder(_ a: String, _ b: String) -> Bool {
    let (x, y) = (a.split(separator: "."), b.split(separator: "."))
    for (p, q) in zip(x, y) where p != q {
      if let m = Int(p), let n = Int(q) { return m < n }
      return p < q
    }
    return x.count < y.count
  }
}
