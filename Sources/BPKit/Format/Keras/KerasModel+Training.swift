import Foundation

extension KerasModel {
  /// Takes the loss and optimizer a Keras model was compiled with, and the
  /// optimizer's state, from either Keras format; what cannot be imported
  /// is noted in ``warnings``.
  ///
  /// - Parameters:
  ///   - compiled: The `loss` and `optimizer` entries of the file's compile
  ///     or training configuration, or `nil` for a model saved uncompiled.
  ///   - state: Reads the optimizer's variables for a configuration.
  mutating func importTraining(
    _ compiled: (loss: Any?, optimizer: Any?)?,
    state: (OptimizerConfiguration) throws(KerasOptimizer.Skipped) -> OptimizerState
  ) {
    guard let compiled else {
      warnings.append("the model was saved without compiling it: no loss or optimizer state to import")
      return
    }
    loss = KerasOptimizer.loss(compiled.loss)
    if loss == nil, let named = compiled.loss, !(named is NSNull) {
      let name = KerasOptimizer.lossName(named)
      unsupportedLoss = name
      warnings.append("the Keras loss \(name) is not in bpkit")
    }
    do throws(KerasOptimizer.Skipped) {
      optimizer = try state(try KerasOptimizer.configuration(compiled.optimizer))
    } catch {
      unsupportedOptimizer = error.reason
      warnings.append("optimizer state not imported: \(error.reason)")
    }
  }
}
