/// The rows of a data file that a run trains or validates on, in ascending
/// order: a range of rows, or any ascending list of them (the rows a seeded
/// validation split leaves for training, or holds out).
///
/// Element `i` is the file row of the run's `i`-th sample. A range costs no
/// memory per row; a list costs one `Int` per row.
public struct RowSet: RandomAccessCollection, Hashable, Sendable {
  private enum Storage: Hashable, Sendable {
    case range(Range<Int>)
    case list([Int])
  }

  private let storage: Storage

  /// The rows of `range`.
  public init(_ range: Range<Int>) {
    storage = .range(range)
  }

  /// The rows of an ascending list of distinct rows.
  ///
  /// - Precondition: `rows` is strictly increasing and not negative.
  public init(ascending rows: [Int]) {
    precondition(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 }, "the rows must be strictly increasing")
    precondition(rows.first.map { $0 >= 0 } ?? true, "rows cannot be negative")
    storage = .list(rows)
  }

  private init(checked storage: Storage) {
    self.storage = storage
  }

  /// The first position, 0.
  public var startIndex: Int { 0 }

  /// The number of rows.
  public var endIndex: Int {
    switch storage {
    case .range(let range): range.count
    case .list(let rows): rows.count
    }
  }

  /// The file row at `position`.
  public subscript(position: Int) -> Int {
    switch storage {
    case .range(let range): range.lowerBound + position
    case .list(let rows): rows[position]
    }
  }

  /// The rows as a range, when they are consecutive.
  public var range: Range<Int>? {
    switch storage {
    case .range(let range): return range
    case .list(let rows):
      guard let first = rows.first, let last = rows.last else { return 0..<0 }
      return last - first + 1 == rows.count ? first..<(last + 1) : nil
    }
  }

  /// The rows at `positions` (a consecutive part of this set).
  public func rows(at positions: Range<Int>) -> RowSet {
    switch storage {
    case .range(let range):
      RowSet((range.lowerBound + positions.lowerBound)..<(range.lowerBound + positions.upperBound))
    case .list(let rows): RowSet(checked: .list(Array(rows[positions])))
    }
  }
}
