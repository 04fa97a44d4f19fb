/// Where each weight tensor lives in the engine's one flat parameter array.
///
/// Trainable tensors come first, in ``NetworkDescription/parameterSpecs()``
/// order, then the non-trainable ones (a standardize layer's mean and std), so
/// that optimizers and gradients cover the contiguous range
/// `0..<trainableCount`.
struct ParameterLayout: Sendable {
  struct Entry: Sendable {
    var spec: ParameterSpec
    var offset: Int
    var count: Int
  }

  let entries: [Entry]
  let trainableCount: Int
  let totalCount: Int
  private let index: [ParameterKey: Int]

  init(specs: [ParameterSpec]) {
    var entries: [Entry] = []
    var offset = 0
    for spec in specs.filter(\.trainable) + specs.filter({ !$0.trainable }) {
      let count = spec.shape.reduce(1, *)
      entries.append(Entry(spec: spec, offset: offset, count: count))
      offset += count
    }
    self.entries = entries
    trainableCount = entries.filter(\.spec.trainable).reduce(0) { $0 + $1.count }
    totalCount = offset
    index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.spec.key, $0) })
  }

  /// The offset of a weight in the flat array.
  func offset(of key: ParameterKey) -> Int {
    entries[index[key]!].offset
  }

  /// The offset of a weight, or `nil` when the layer has none by that name.
  func offsetIfPresent(of key: ParameterKey) -> Int? {
    index[key].map { entries[$0].offset }
  }

  var trainableEntries: ArraySlice<Entry> { entries.prefix(while: \.spec.trainable) }
}
