extension Model {
  /// Creates a model with fresh weights drawn as Keras initialises them.
  ///
  /// Layer by layer, weight by weight in ``NetworkDescription/parameterSpecs()``
  /// order, each tensor filled in row-major order:
  /// - `kernel`: Glorot uniform, U(−l, l) with l = √(6 / (fan_in + fan_out)),
  ///   as `-l + 2l·u` with u = ``Xoshiro256StarStar/nextDouble()``, rounded to Float32;
  /// - `recurrent_kernel`: orthogonal, like Keras's `Orthogonal` initializer:
  ///   a matrix of ``Xoshiro256StarStar/nextNormal()`` draws made orthonormal by
  ///   modified Gram–Schmidt on its columns (the Q of a QR decomposition whose
  ///   R has a positive diagonal), computed in Float64;
  /// - `bias`: zeros, except an LSTM layer's forget-gate slice [units, 2·units)
  ///   when it has `unitForgetBias` (ones, as Keras' `unit_forget_bias`);
  ///   a standardize layer's `mean` zeros and `std` ones.
  ///
  /// - Parameters:
  ///   - network: The network to initialise.
  ///   - random: The generator, advanced by the draws.
  /// - Throws: ``BPKitError`` when the description is invalid.
  public init(initializing network: NetworkDescription, random: inout Xoshiro256StarStar) throws(BPKitError) {
    do {
      var parameters: [ParameterKey: Tensor<Float>] = [:]
      var forgetBiasLayers: [String: Int] = [:]
      for layer in network.layers {
        if case .lstm(let settings, unitForgetBias: true) = layer.kind { forgetBiasLayers[layer.name] = settings.units }
      }
      for spec in try network.parameterSpecs() {
        let count = spec.shape.reduce(1, *)
        let scalars: [Float]
        switch spec.key.name {
        case "kernel":
          let limit = (6 / Double(spec.shape[0] + spec.shape[1])).squareRoot()
          scalars = (0..<count).map { _ in Float(-limit + 2 * limit * random.nextDouble()) }
        case "recurrent_kernel":
          scalars = orthogonalMatrix(rows: spec.shape[0], columns: spec.shape[1], random: &random).map { Float($0) }
        case "std":
          scalars = Array(repeating: 1, count: count)
        case "bias" where forgetBiasLayers[spec.key.layer] != nil:
          let units = forgetBiasLayers[spec.key.layer]!
          scalars = (0..<count).map { $0 >= units && $0 < 2 * units ? 1 : 0 }
        default:
          scalars = Array(repeating: 0, count: count)
        }
        parameters[spec.key] = Tensor(shape: spec.shape, scalars: scalars)
      }
      try self.init(network: network, parameters: parameters)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Creates a model with fresh weights from a seed; see ``init(initializing:random:)``.
  public init(initializing network: NetworkDescription, seed: UInt64) throws(BPKitError) {
    do {
      var random = Xoshiro256StarStar(seed: seed)
      try self.init(initializing: network, random: &random)

    } catch {
      throw BPKitError(error)
    }
  }
}

/// A rows×columns matrix (row-major) with orthonormal columns (rows ≥ columns)
/// or rows (rows < columns), from normal draws made orthonormal by modified
/// Gram–Schmidt.
func orthogonalMatrix(rows: Int, columns: Int, random: inout Xoshiro256StarStar) -> [Double] {
  // Work on the taller orientation, as Keras does, and transpose back.
  let tall = rows >= columns
  let m = tall ? rows : columns
  let n = tall ? columns : rows
  var a = (0..<(m * n)).map { _ in random.nextNormal() }  // [m, n] row-major
  for j in 0..<n {
    for k in 0..<j {
      var dot = 0.0
      for i in 0..<m { dot += a[i * n + k] * a[i * n + j] }
      for i in 0..<m { a[i * n + j] -= dot * a[i * n + k] }
    }
    var norm = 0.0
    for i in 0..<m { norm += a[i * n + j] * a[i * n + j] }
    norm = norm.squareRoot()
    for i in 0..<m { a[i * n + j] /= norm }
  }
  if tall { return a }
  var transposed = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n { transposed[j * m + i] = a[i * n + j] }
  }
  return transposed
}
