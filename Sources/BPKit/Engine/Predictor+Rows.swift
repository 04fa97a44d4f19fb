internal import CKernels

/// A batch cut into blocks of samples, one task each, so that a large batch
/// runs the whole network on every thread at once instead of meeting at a
/// barrier after each product. Samples are independent: a sample's outputs
/// are the same numbers in any block (each is the same chain of fused
/// multiply-adds, see ``Kernels``), so the blocks change the time taken only.
struct RowBlocks {
  /// The samples of the batch.
  let samples: Int
  /// Samples per block: a multiple of every path's rows per tile.
  let size: Int
  /// The number of blocks.
  let count: Int
  /// The threads that run them.
  let threads: Int

  /// Blocks are at least this many samples: smaller ones would spend more
  /// on handing work over than on the products.
  static let minimumSize = 48
  /// Blocks per thread, so that a thread the machine holds back delays one
  /// block rather than half the batch.
  static let perThread = 4

  /// One block unless the calling thread may use several threads and the
  /// batch holds enough work (the same threshold as one product's split).
  init(plan: NetworkPlan, count: Int, steps: Int) {
    samples = count
    let threads = Int(bpk_kernels_current_threads())
    let work = count * steps * plan.layout.totalCount
    guard threads > 1, count >= 2 * Self.minimumSize, work >= bpk_kernels_split_minimum() else {
      (size, self.count, self.threads) = (count, 1, 1)
      return
    }
    let wanted = min(threads * Self.perThread, count / Self.minimumSize)
    let size = ((count + wanted - 1) / wanted + 11) / 12 * 12
    (self.size, self.count, self.threads) = (size, (count + size - 1) / size, threads)
  }
}

extension Predictor {
  /// Runs samples `rows` of the batch, whose inputs start at `inputs` and
  /// outputs at `output`, on the calling thread in `workspace` (a single
  /// sample's large products over the threads with `split`).
  func run(
    rows: Range<Int>, steps: Int, inputs: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    in workspace: Workspace<Float>, split: SplitKernels? = nil
  ) {
    let inputWidth = plan.network.input.features * steps
    let outputWidth = (plan.outputIsSequence ? steps : 1) * plan.outputWidth
    workspace.prepare(plan: plan, batch: rows.count, steps: steps, training: false)
    plan.forward(
      parameters: parameters.pointer, input: inputs + rows.lowerBound * inputWidth, workspace: workspace,
      training: false, packed: packed, split: split)
    (output + rows.lowerBound * outputWidth).update(
      from: plan.output(of: plan.steps.count - 1, in: workspace), count: rows.count * outputWidth)
  }

  /// Runs each block of `blocks` as one task on the kernels' threads, in a
  /// workspace of its own, with the calling thread's path and one thread per
  /// product.
  func runSplit(
    _ blocks: RowBlocks, steps: Int, inputs: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    while blockWorkspaces.count < blocks.count { blockWorkspaces.append(Workspace(layerCount: plan.steps.count)) }
    let path = bpk_kernels_current_path()
    let task = BlockTask { index in
      let previousPath = Kernels.currentThreadPathChoice
      let previousThreads = bpk_kernels_set_thread_threads(1)
      bpk_kernels_set_thread_path(path)
      defer {
        bpk_kernels_set_thread_path(previousPath)
        bpk_kernels_set_thread_threads(previousThreads)
      }
      let start = index * blocks.size
      self.run(
        rows: start..<min(start + blocks.size, blocks.samples), steps: steps, inputs: inputs, output: output,
        in: self.blockWorkspaces[index])
    }
    withExtendedLifetime(task) {
      bpk_parallel_run(
        Int32(blocks.count), Int32(blocks.threads),
        { context, index in Unmanaged<BlockTask>.fromOpaque(context!).takeUnretainedValue().body(Int(index)) },
        Unmanaged.passUnretained(task).toOpaque())
    }
  }
}

/// A block's work, passed to the kernels' pool as its context.
private final class BlockTask {
  let body: (Int) -> Void
  init(_ body: @escaping (Int) -> Void) { self.body = body }
}
