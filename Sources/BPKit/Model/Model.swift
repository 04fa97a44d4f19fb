/// A network description together with its weights: everything needed to
/// run the network.
///
/// Weights are stored in Float32, as in Keras; the engine computes in Float32
/// or Float64.
public struct Model: Hashable, Sendable {
  /// The network's layers and input shape.
  public var network: NetworkDescription
  /// The weights, keyed by layer and weight name.
  public private(set) var parameters: [ParameterKey: Tensor<Float>]
  /// The names of the input features and classes, when the training data had
  /// them (see ``ModelNames``); set with ``setNames(_:)``.
  public internal(set) var names = ModelNames()

  /// Pairs a description with its weights after checking that every declared
  /// weight is present with its declared shape and nothing else is.
  ///
  /// - Throws: ``BPKitError`` naming the first weight that does not fit.
  public init(network: NetworkDescription, parameters: [ParameterKey: Tensor<Float>]) throws(BPKitError) {
    do {
      let specs = try network.parameterSpecs()
      for spec in specs {
        guard let tensor = parameters[spec.key] else { throw ModelError.missingParameter(spec.key) }
        guard tensor.shape == spec.shape else {
          throw ModelError.parameterShapeMismatch(spec.key, expected: spec.shape, actual: tensor.shape)
        }
      }
      let declared = Set(specs.map(\.key))
      if let extra = parameters.keys.sorted().first(where: { !declared.contains($0) }) {
        throw ModelError.unexpectedParameter(extra)
      }
      self.network = network
      self.parameters = parameters

    } catch {
      throw BPKitError(error)
    }
  }

  /// Replaces one weight tensor, keeping its declared shape.
  ///
  /// - Throws: ``BPKitError`` when the key is unknown or the shape differs.
  public mutating func setParameter(_ tensor: Tensor<Float>, for key: ParameterKey) throws(BPKitError) {
    do {
      guard let current = parameters[key] else { throw ModelError.unexpectedParameter(key) }
      guard current.shape == tensor.shape else {
        throw ModelError.parameterShapeMismatch(key, expected: current.shape, actual: tensor.shape)
      }
      parameters[key] = tensor

    } catch {
      throw BPKitError(error)
    }
  }

  /// The weights in declaration order, as ``NetworkDescription/parameterSpecs()`` lists them.
  public var orderedParameters: [(spec: ParameterSpec, tensor: Tensor<Float>)] {
    // The description was validated in init, so parameterSpecs() cannot fail here.
    ((try? network.parameterSpecs()) ?? []).map { ($0, parameters[$0.key]!) }
  }
}
