internal import CKernels

/// Runs a model forward with buffers kept between calls: the fast path for
/// repeated predictions, batch-1 latency above all.
///
/// A predictor holds its own copy of the weights and is not safe to use from
/// two threads at once; give each thread its own, or call
/// ``Model/predict(_:)->Tensor<Float>``, which is. On Linux, weights of
/// 256 KiB or more lie in whole 2 MiB pages (transparent huge pages where the
/// system allows them), so that a single sample streams them from the core's
/// L2 cache without their evicting each other; the memory taken rounds up to
/// 2 MiB.
///
/// With more than one thread (``Kernels/threads``), a call of one sample
/// cuts each large dense kernel by columns over the threads, so that each
/// core streams its own part of the weights from its own cache: the
/// predictor then keeps a second copy of those kernels, and the threads spin
/// for up to 0.1 ms after the call waiting for the next one. On one thread,
/// when those kernels hold 512 KiB or more, it keeps them cut in two halves
/// and reads the halves in alternating order from one call to the next, so
/// that each call starts with the half still in the cache. The numbers are
/// the same on any number of threads. One sample of a feed-forward network
/// (dense, standardize and dropout layers) runs through a `SampleProgram`:
/// the same calls in the same order, without the batch path's bookkeeping,
/// over a second copy of the weights laid out in the order they are read.
/// On one thread, after 10,000 such samples, the predictor chooses where that
/// copy lies by a short trial (``choosesWeightPlacement``).
///
/// ```swift
/// let predictor = try Predictor(model: model)
/// let probabilities = try predictor.predict(pixels, count: 1)
/// ```
public final class Predictor {
  /// The network run.
  public let network: NetworkDescription
  /// The model's precision: a float32 model predicts from and into `Float`
  /// buffers, a float64 model from and into `Double` ones.
  public let dtype: DType
  let plan: NetworkPlan
  /// The weights and biases of a float32 model, in the plan's layout.
  let parameters: WeightBuffer
  private let workspace: Workspace<Float>
  /// A float64 model's weights and scratch buffers.
  let float64Parameters: ScalarBuffer<Double>?
  let float64Workspace: Workspace<Double>
  /// One workspace per block of a batch split over threads (see `RowBlocks`).
  var blockWorkspaces: [Workspace<Float>] = []
  /// The dense kernels packed for the path of the first call of more than
  /// one row (a single row reads them where they lie).
  private(set) var packed: PackedKernels?
  /// The large dense kernels cut by columns, one part per thread, for
  /// single samples: made at the first such call with more than one thread.
  private(set) var split: SplitKernels?

  /// A feed-forward network's steps resolved for single samples, made at the
  /// first such call and again when the number of threads changes.
  private(set) var sampleProgram: SampleProgram?

  /// Whether single samples on one thread choose where their weights lie by
  /// a short trial, once the predictor has run 10,000 of them (so, never in
  /// a process that predicts a few samples).
  ///
  /// Weights that nearly fill the core's L2 cache (512 KiB or more) stream
  /// at a speed that depends on where they lie in physical memory, which a
  /// process cannot see: on a virtual machine, one sample of a 933 KiB
  /// network took 4.2–5.6 µs depending only on the place of the copy. After
  /// those calls the predictor makes 14 more copies of its one-sample weights
  /// (two to each 2 MiB room, when they fit), times each over 48 samples (the
  /// sample of that call, run again) by the calling thread's processor clock,
  /// keeps the fastest and frees the others: that one call takes about 5 ms
  /// longer (the time of some 800 calls, under a tenth of the 10,000 before
  /// it on any kernel path), with 14 MiB more memory for its duration. Every
  /// copy holds the same numbers and runs the same calls, so no output
  /// changes. Set `false` to keep the first place.
  public var choosesWeightPlacement = true

  /// The one-sample calls after which the weights' place is tried.
  var placementTrialCalls = Predictor.placementTrialCalls
  /// About 50 ms of calls of 5 µs, against a trial of a few milliseconds.
  static let placementTrialCalls = 10_000
  /// Whether single samples run through a ``SampleProgram``.
  private lazy var runsSamplePrograms: Bool = dtype == .float32 && SampleProgram.fits(plan)

  /// The most threads a single sample's products are split over.
  static let maximumParts = 16

  /// Whether single samples on one thread read the large kernels in halves
  /// (``SplitKernels``, `alone`): when those kernels are large enough.
  private lazy var aloneSplitPays: Bool =
    dtype == .float32 && SplitKernels.cutWeights(plan: plan) >= SplitKernels.minimumAloneWeights

  /// Prepares a model for prediction.
  ///
  /// - Throws: ``BPKitError`` when `BPKIT_KERNELS` names no path this CPU runs.
  public init(model: Model) throws(BPKitError) {
    do {
      try Kernels.validateEnvironment()
      do { plan = try NetworkPlan(network: model.network) } catch { throw EngineError.invalidNetwork(error) }
      network = model.network
      dtype = model.dtype
      if model.dtype == .float64 {
        let parameters = ScalarBuffer<Double>(capacity: plan.layout.totalCount)
        for entry in plan.layout.entries {
          model.copyParameter(entry.spec.key, into: parameters.pointer + entry.offset)
        }
        float64Parameters = parameters
        self.parameters = WeightBuffer(count: 1)
      } else {
        let parameters = WeightBuffer(count: plan.layout.totalCount)
        for entry in plan.layout.entries {
          model.copyParameter(entry.spec.key, into: parameters.pointer + entry.offset)
        }
        self.parameters = parameters
        float64Parameters = nil
      }
      workspace = Workspace(layerCount: plan.steps.count)
      float64Workspace = Workspace(layerCount: plan.steps.count)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The number of outputs per sample (per time step, for sequence outputs).
  public var outputWidth: Int { plan.outputWidth }

  /// Whether the outputs have a time axis.
  public var outputIsSequence: Bool { plan.outputIsSequence }

  /// The number of output numbers `count` samples of `inputCount` numbers produce.
  ///
  /// - Throws: ``BPKitError`` when the inputs are not `count` whole samples.
  public func outputCount(inputCount: Int, count: Int) throws(BPKitError) -> Int {
    do {
      let steps = try plan.network.input.batchSteps(inputs: inputCount, count: count)
      return (plan.outputIsSequence ? count * steps : count) * plan.outputWidth

    } catch {
      throw BPKitError(error)
    }
  }

  /// Runs `count` samples and writes the outputs, row-major, to `output`.
  ///
  /// - Parameters:
  ///   - inputs: [count, features] or [count, steps, features], row-major.
  ///   - count: The number of samples.
  ///   - output: Room for ``outputCount(inputCount:count:)`` numbers.
  /// - Throws: ``BPKitError`` when the sizes do not fit, or when the model is
  ///   float64 (it predicts from and into `Double` buffers).
  public func predict(
    _ inputs: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>
  ) throws(BPKitError) {
    do {
      guard dtype == .float32 else { throw EngineError.dtypeMismatch(model: dtype, engine: .float32) }
      let steps = try plan.network.input.batchSteps(inputs: inputs.count, count: count)
      let needed = (plan.outputIsSequence ? count * steps : count) * plan.outputWidth
      guard output.count >= needed else { throw EngineError.targetSizeMismatch(expected: needed, actual: output.count) }
      if packed == nil && count > 1 { packed = PackedKernels(plan: plan, parameters: parameters.pointer) }
      let parts = count == 1 ? min(Int(bpk_kernels_current_threads()), Self.maximumParts) : 1
      // One thread: large kernels in halves, read in alternating order.
      let alone = count == 1 && parts == 1 && aloneSplitPays
      if count == 1 && runsSamplePrograms {
        runProgram(input: inputs.baseAddress!, output: output.baseAddress!, parts: alone ? 2 : parts, alone: alone)
        return
      }
      if parts > 1 && (split?.parts != parts || split?.alone == true) {
        split = SplitKernels(plan: plan, parameters: parameters.pointer, parts: parts)
      }
      if alone && split?.alone != true {
        split = SplitKernels(plan: plan, parameters: parameters.pointer, parts: 2, alone: true)
      }
      let blocks = RowBlocks(plan: plan, count: count, steps: steps)
      if blocks.count == 1 {
        run(
          rows: 0..<count, steps: steps, inputs: inputs.baseAddress!, output: output.baseAddress!, in: workspace,
          split: parts > 1 || alone ? split : nil)
      } else {
        runSplit(blocks, steps: steps, inputs: inputs.baseAddress!, output: output.baseAddress!)
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Runs one sample through the program for `parts` and `alone` (made
  /// again when they change), then, on one thread, tries other places for
  /// its weights once it has run `placementTrialCalls` samples.
  private func runProgram(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, parts: Int, alone: Bool) {
    if sampleProgram?.parts != parts || sampleProgram?.alone != alone {
      sampleProgram = SampleProgram(plan: plan, parameters: parameters.pointer, parts: parts, alone: alone)
    }
    let program = sampleProgram!
    program.run(input: input, output: output, outputWidth: plan.outputWidth)
    if choosesWeightPlacement && !program.placementTried && program.calls >= placementTrialCalls
      && (parts == 1 || alone) && program.placementMatters
    {
      program.choosePlacement(input: input, outputWidth: plan.outputWidth)
    }
  }

  /// Runs `count` samples given as an array and returns their outputs.
  public func predict(_ inputs: [Float], count: Int) throws(BPKitError) -> [Float] {
    do {
      let needed = try outputCount(inputCount: inputs.count, count: count)
      var output = [Float](repeating: 0, count: needed)
      try inputs.withUnsafeBufferPointer { x in
        try output.withUnsafeMutableBufferPointer { try predict(x, count: count, into: $0) }
      }
      return output

    } catch {
      throw BPKitError(error)
    }
  }
}
