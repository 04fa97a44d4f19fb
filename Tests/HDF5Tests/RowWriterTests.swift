import HDF5
import Testing
import _BPKitTestSupport

@Suite struct RowWriterTests {
  @Test func appendsRowsInPieces() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("rows.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      let writer = try HDF5RowWriter<Float>(in: root, name: "predictions", rowShape: [3], chunkRows: 4)
      try writer.append((0..<6).map(Float.init))
      try writer.append([Float]())
      try writer.append((6..<21).map(Float.init))
      #expect(writer.rowCount == 7)
      let error = #expect(throws: HDF5Error.self) { try writer.append([Float(1), 2]) }
      #expect(error?.kind == .shapeMismatch)
      let labels = try HDF5RowWriter<Int64>(in: root, name: "classes", rowShape: [])
      try labels.append([Int64(3), 1])
    }
    let root = try HDF5File(openingAtPath: path).root
    let predictions = try root.openDataset("predictions")
    #expect(predictions.shape == [7, 3])
    #expect(try predictions.read(as: Float.self) == (0..<21).map(Float.init))
    #expect(try root.openDataset("classes").read(as: Int64.self) == [3, 1])
  }
}
