extension Model {
  /// The name given to the standardize layer that ``standardizing(mean:std:)-([Float],_)`` or ``standardizing(mean:std:)-([Double],_)`` adds.
  public static let standardizationLayerName = "standardize"

  /// The model with a first layer that scales each input feature as
  /// (x − mean) / std, so that inference applies the scaling used in training.
  ///
  /// When the network already starts with a standardize layer, its statistics
  /// are replaced; otherwise a layer named ``standardizationLayerName`` is added.
  ///
  /// - Parameters:
  ///   - mean: One value per input feature.
  ///   - std: One value per input feature; zeros are replaced by 1 so constant
  ///     features pass through unchanged.
  /// - Throws: ``BPKitError`` when the sizes do not match the input or a
  ///   layer of that name exists.
  public func standardizing(mean: [Float], std: [Float]) throws(BPKitError) -> Model {
    try standardizing(mean: mean.map(Double.init), std: std.map(Double.init))
  }

  /// The model with a first layer that scales each input feature as
  /// (x − mean) / std, from statistics computed in Float64: a float64 model
  /// keeps them exactly, a float32 model rounds them to Float32.
  ///
  /// - Parameters:
  ///   - mean: One value per input feature.
  ///   - std: One value per input feature; zeros are replaced by 1 so constant
  ///     features pass through unchanged.
  /// - Throws: ``BPKitError`` when the sizes do not match the input or a
  ///   layer of that name exists.
  @_disfavoredOverload  // Literal arrays stay Float, as before float64 models.
  public func standardizing(mean: [Double], std: [Double]) throws(BPKitError) -> Model {
    do {
      let features = network.input.features
      guard mean.count == features, std.count == features else {
        throw ModelError.parameterShapeMismatch(
          ParameterKey(layer: Self.standardizationLayerName, name: "mean"), expected: [features], actual: [mean.count])
      }
      var network = self.network
      let name: String
      if let first = network.layers.first, first.kind == .standardize {
        name = first.name
      } else {
        name = Self.standardizationLayerName
        network.layers.insert(Layer(name: name, kind: .standardize), at: 0)
      }
      let meanKey = ParameterKey(layer: name, name: "mean")
      let stdKey = ParameterKey(layer: name, name: "std")
      var model: Model
      if var parameters = float64Parameters {
        parameters[meanKey] = Tensor(shape: [features], scalars: mean)
        parameters[stdKey] = Tensor(shape: [features], scalars: std.map { $0 == 0 || !$0.isFinite ? 1 : $0 })
        model = try Model(network: network, float64Parameters: parameters)
      } else {
        // Rounded first, so a std that rounds to 0 is replaced too.
        var parameters = self.parameters
        parameters[meanKey] = Tensor(shape: [features], scalars: mean.map { Float($0) })
        parameters[stdKey] = Tensor(
          shape: [features], scalars: std.map { Float($0) }.map { $0 == 0 || !$0.isFinite ? 1 : $0 })
        model = try Model(network: network, parameters: parameters)
      }
      model.names = names
      return model

    } catch {
      throw BPKitError(error)
    }
  }
}

extension Dataset {
  /// The mean and standard deviation of each input feature, over all samples
  /// (and time steps, for sequences), computed in Float64 and rounded to Float32.
  public func featureStatistics() -> (mean: [Float], std: [Float]) {
    let statistics = float64FeatureStatistics()
    return (statistics.mean.map { Float($0) }, statistics.std.map { Float($0) })
  }

  /// The mean and standard deviation of each input feature, over all samples
  /// (and time steps, for sequences), computed in Float64 from the values as
  /// read (``float64Inputs`` for data read in Float64).
  public func float64FeatureStatistics() -> (mean: [Double], std: [Double]) {
    var statistics = FeatureStatistics(features: inputs.shape.last ?? 0)
    if let exact = float64Inputs { statistics.add(exact.scalars) } else { statistics.add(inputs.scalars) }
    return (statistics.mean, statistics.standardDeviation)
  }
}
