import HDF5

extension FileWriter {
  /// Writes a Float32 dataset of `shape` piece by piece from one buffer of
  /// `rowsPerPiece` rows, which `fill` fills with the rows it is given, in
  /// order, with its CRC-32: the file ``write(_:shape:to:in:)`` writes of
  /// the whole tensor, without holding it. A tensor of no dimension or of
  /// one is taken as rows of one value.
  func write(
    shape: [Int], rowsPerPiece: Int, to name: String, in group: HDF5Group,
    fill: (Range<Int>, UnsafeMutableBufferPointer<Float>) throws -> Void
  ) throws {
    let count = shape.reduce(1, *)
    let rowSize = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
    let rowCount = rowSize == 0 ? 0 : count / rowSize
    let dataset = try group.createDataset(name, of: Float.self, shape: shape)
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, min(rowsPerPiece, rowCount) * rowSize))
    defer { buffer.deallocate() }
    var crc = CRC32()
    var row = 0
    while row < rowCount {
      let end = min(rowCount, row + rowsPerPiece)
      let piece = UnsafeMutableBufferPointer(rebasing: buffer[0..<(end - row) * rowSize])
      try fill(row..<end, piece)
      crc.update(UnsafeRawBufferPointer(piece))
      if shape.isEmpty {
        try dataset.write(UnsafeBufferPointer(piece))
      } else {
        try dataset.writeRows(row..<end, from: UnsafeBufferPointer(piece))
      }
      row = end
    }
    try dataset.setAttribute(FileLayout.checksumAttribute, to: crc.value)
    if let offset = dataset.contiguousOffset, count > 0 {
      spans.spans.append(.init(offset: offset, count: count * MemoryLayout<Float>.stride, crc: crc.value))
    }
  }
}
