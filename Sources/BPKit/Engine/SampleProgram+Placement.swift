#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a program's weights lie in physical memory decides how fast one
/// sample streams them, when they nearly fill the core's L2 cache: the cache
/// picks a line's set by its physical address, and a virtual machine's 2 MiB
/// pages need not be contiguous there (the host may back them with 4 KiB
/// pages), so some sets get more lines of weights than they have ways and
/// evict them on every call. Measured on this project's machine (BENCHMARKS.md,
/// issue 13), one sample of 784-256-128-10 took 4.2–5.6 µs depending only on
/// the place of the copy, reproducibly for each place. Which pages collide is
/// not visible to a process, so the program finds a good place by trying a
/// few: copies of the same weights, each timed by the calling thread's
/// processor clock with the same calls, and keeps the fastest.
///
/// Every copy holds the same numbers at the same offsets, and the program
/// runs the same calls whichever it reads: no output changes.
extension SampleProgram {
  /// Rooms of new copies tried besides the current place; each holds two
  /// copies when two fit in its 2 MiB pages (a 933 KiB network: 14 places
  /// in 14 MiB).
  static let placementRooms = 7
  /// Rounds over all copies; each copy's time is its best round's, since
  /// whatever else runs on the machine only ever adds time.
  static let placementRounds = 2
  /// Calls timed per copy and round, after `placementWarmCalls` that bring
  /// the copy into the cache.
  static let placementCalls = 24
  static let placementWarmCalls = 2

  /// Whether the weights are large enough for their place to matter: half
  /// of a 1 MiB L2 cache or more (smaller ones stay in it wherever they lie).
  var placementMatters: Bool { weightCount >= SplitKernels.minimumAloneWeights }

  /// Runs `input` through copies of the weights in new places, keeps the
  /// one of them (or the current place) that took the least processor time,
  /// and frees the others. Sets `placementTried`.
  ///
  /// - Parameters:
  ///   - input: A sample to time the copies with; its outputs are discarded.
  ///   - outputWidth: The network's outputs per sample.
  ///   - rooms: The number of new rooms for copies.
  ///   - pick: The place to keep, given each place's processor time in
  ///     nanoseconds (the current place first): by default the fastest.
  /// - Returns: The place kept: 0 for the current one, `c` for the `c`-th copy.
  @discardableResult
  func choosePlacement(
    input: UnsafePointer<Float>, outputWidth: Int, rooms: Int = placementRooms,
    pick: ([UInt64]) -> Int = { times in times.indices.min { times[$0] < times[$1] } ?? 0 }
  ) -> Int {
    placementTried = true
    // Copies start on 4 KiB pages; two share a room when they fit its 2 MiB pages.
    let pageFloats = 1024
    let stride = (weightCount + pageFloats - 1) / pageFloats * pageFloats
    let hugePageFloats = 1 << 19
    let roomPages = (weightCount + hugePageFloats - 1) / hugePageFloats
    let perRoom = max(1, roomPages * hugePageFloats / stride)
    var places = [(buffer: weights, start: weightsStart)]
    for _ in 0..<rooms {
      let room = WeightBuffer(count: (perRoom - 1) * stride + weightCount)
      for copy in 0..<perRoom {
        (room.pointer + copy * stride).update(from: weights.pointer + weightsStart, count: weightCount)
        places.append((room, copy * stride))
      }
    }
    let discarded = UnsafeMutablePointer<Float>.allocate(capacity: outputWidth)
    defer { discarded.deallocate() }
    var best = [UInt64](repeating: .max, count: places.count)
    for _ in 0..<Self.placementRounds {
      for (index, place) in places.enumerated() {
        (weights, weightsStart) = place
        for _ in 0..<Self.placementWarmCalls { run(input: input, output: discarded, outputWidth: outputWidth) }
        let start = Self.threadNanoseconds()
        for _ in 0..<Self.placementCalls { run(input: input, output: discarded, outputWidth: outputWidth) }
        best[index] = min(best[index], Self.threadNanoseconds() &- start)
      }
    }
    let chosen = pick(best)
    (weights, weightsStart) = places[chosen]
    return chosen
  }

  /// The calling thread's processor time, in nanoseconds.
  static func threadNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }
}
