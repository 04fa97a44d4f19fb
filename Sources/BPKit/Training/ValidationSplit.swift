/// Which rows of a data file a validation split holds out.
///
/// A split of `fraction` holds out `round(count × fraction)` of `count` rows
/// (halves rounded away from zero): without a seed, the last ones, as Keras'
/// `validation_split` does; with a seed, rows drawn at random, so data sorted
/// by class still validates on every class.
///
/// The seeded draw is Knuth's selection sampling (The Art of Computer
/// Programming, vol. 2, 3.4.2, Algorithm S), with bpkit's generator
/// (``Xoshiro256StarStar``) seeded by the split's seed: row `i` of `count`
/// is held out when `nextIndex(below: count − i)` is less than the number of
/// rows still to hold out. It makes exactly one draw per row, keeps nothing
/// but the chosen rows, and gives them in ascending order. A checkpoint
/// stores the seed and the rows drawn (Schemas/FORMAT.md), so a resumed run
/// validates on exactly the same rows.
public enum ValidationSplit {
  /// The number of rows a split of `fraction` holds out of `count`.
  public static func heldOutCount(of count: Int, fraction: Double) -> Int {
    Int((Double(count) * fraction).rounded())
  }

  /// The rows of `0..<count` that a split of `fraction` with `seed` holds
  /// out, ascending.
  ///
  /// - Precondition: `fraction` is in [0, 1) and `count` is not negative.
  public static func heldOutRows(of count: Int, fraction: Double, seed: UInt64) -> [Int] {
    precondition(count >= 0 && (0..<1).contains(fraction), "a split holds out a fraction in [0, 1) of the rows")
    var needed = heldOutCount(of: count, fraction: fraction)
    var random = Xoshiro256StarStar(seed: seed)
    var rows: [Int] = []
    rows.reserveCapacity(needed)
    var row = 0
    while needed > 0 {
      // Row `row` is held out with probability needed / (count − row).
      if random.nextIndex(below: count - row) < needed {
        rows.append(row)
        needed -= 1
      }
      row += 1
    }
    return rows
  }

  /// The rows of `0..<count` not in `heldOut` (ascending), in ascending order.
  static func remainingRows(of count: Int, heldOut: [Int]) -> [Int] {
    var rows: [Int] = []
    rows.reserveCapacity(count - heldOut.count)
    var next = heldOut.makeIterator()
    var skip = next.next()
    for row in 0..<count {
      if row == skip {
        skip = next.next()
      } else {
        rows.append(row)
      }
    }
    return rows
  }
}
