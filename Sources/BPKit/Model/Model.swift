/// A network description together with its weights: everything needed to
/// run the network.
///
/// Weights are stored in Float32, as in Keras, or in Float64 for a model
/// made with ``init(network:float64Parameters:)`` (see ``dtype``); the
/// engine computes in the model's precision.
public struct Model: Hashable, Sendable {
  /// The network's layers and input shape.
  public var network: NetworkDescription
  /// The weights, keyed by layer and weight name. For a float64 model each
  /// is its ``float64Parameters`` tensor rounded to Float32, for display and
  /// comparison; the files, the engine and the predictions of a float64
  /// model use ``float64Parameters``.
  public private(set) var parameters: [ParameterKey: Tensor<Float>]
  /// The exact weights of a float64 model (``dtype`` is ``DType/float64``),
  /// or `nil` for a float32 model.
  public private(set) var float64Parameters: [ParameterKey: Tensor<Double>]?
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
      float64Parameters = nil

    } catch {
      throw BPKitError(error)
    }
  }

  /// Pairs a description with Float64 weights: a float64 model, which trains
  /// and predicts in Double and is stored with float64 tensors.
  ///
  /// - Throws: ``BPKitError`` naming the first weight that does not fit.
  public init(network: NetworkDescription, float64Parameters: [ParameterKey: Tensor<Double>]) throws(BPKitError) {
    try self.init(network: network, parameters: float64Parameters.mapValues(Tensor<Float>.init(rounding:)))
    self.float64Parameters = float64Parameters
  }

  /// The precision of the weights: ``DType/float64`` when the model holds
  /// ``float64Parameters``.
  public var dtype: DType { float64Parameters == nil ? .float32 : .float64 }

  /// Replaces one weight tensor of a float32 model, keeping its declared shape.
  ///
  /// - Throws: ``BPKitError`` when the key is unknown or the shape differs,
  ///   or when the model is float64 (give it a `Tensor<Double>`).
  public mutating func setParameter(_ tensor: Tensor<Float>, for key: ParameterKey) throws(BPKitError) {
    do {
      guard dtype == .float32 else { throw ModelError.dtypeMismatch(model: dtype, given: .float32) }
      guard let current = parameters[key] else { throw ModelError.unexpectedParameter(key) }
      guard current.shape == tensor.shape else {
        throw ModelError.parameterShapeMismatch(key, expected: current.shape, actual: tensor.shape)
      }
      parameters[key] = tensor

    } catch {
      throw BPKitError(error)
    }
  }

  /// Replaces one weight tensor of a float64 model, keeping its declared shape.
  ///
  /// - Throws: ``BPKitError`` when the key is unknown or the shape differs,
  ///   or when the model is float32 (convert it first with ``converted(to:)``).
  @_disfavoredOverload  // Literal tensors stay Float, as before float64 models.
  public mutating func setParameter(_ tensor: Tensor<Double>, for key: ParameterKey) throws(BPKitError) {
    do {
      guard dtype == .float64 else { throw ModelError.dtypeMismatch(model: dtype, given: .float64) }
      guard let current = parameters[key] else { throw ModelError.unexpectedParameter(key) }
      guard current.shape == tensor.shape else {
        throw ModelError.parameterShapeMismatch(key, expected: current.shape, actual: tensor.shape)
      }
      parameters[key] = Tensor(rounding: tensor)
      float64Parameters![key] = tensor

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
