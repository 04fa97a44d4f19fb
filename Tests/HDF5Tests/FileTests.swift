import Foundation
import HDF5
import Synchronization
import Testing
import _BPKitTestSupport

@Suite(.serialized) struct FileTests {
  @Test func missingFileIsAClearError() throws {
    let error = #expect(throws: HDF5Error.self) { try HDF5File(openingAtPath: "/nonexistent/model.h5") }
    #expect(error?.kind == .fileNotFound)
    #expect(error?.description == "cannot open file '/nonexistent/model.h5': no such file")
  }

  @Test func nonHDF5FileIsAClearError() throws {
    let error = #expect(throws: HDF5Error.self) { try HDF5File(openingAtPath: Fixtures.path("datasets/iris.csv")) }
    #expect(error?.kind == .notHDF5)
  }

  @Test func directoryIsAClearError() throws {
    let folder = try TemporaryDirectory()
    let error = #expect(throws: HDF5Error.self) { try HDF5File(openingAtPath: folder.url.path) }
    #expect(error?.kind == .notAFile)
  }

  @Test func emptyFileIsNotHDF5() throws {
    let folder = try TemporaryDirectory()
    _ = FileManager.default.createFile(atPath: folder.path("empty.h5"), contents: Data())
    let error = #expect(throws: HDF5Error.self) { try HDF5File(openingAtPath: folder.path("empty.h5")) }
    #expect(error?.kind == .notHDF5)
  }

  @Test func truncatedFileIsAClearErrorWithHDF5sMessage() throws {
    let folder = try TemporaryDirectory()
    let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("keras/mlp_tanh_softmax.h5")))
    let path = folder.path("truncated.h5")
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: HDF5Error.self) { try HDF5File(openingAtPath: path) }
    #expect(error?.kind == .corrupt)
    #expect(error?.libraryMessages.isEmpty == false)
    #expect(error?.description.contains("truncated") == true)
  }

  @Test func createRefusesToOverwriteUnlessAsked() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("a.h5")
    try HDF5File.create(atPath: path).close()
    let error = #expect(throws: HDF5Error.self) { try HDF5File.create(atPath: path) }
    #expect(error?.kind == .alreadyExists)
    try HDF5File.create(atPath: path, overwrite: true).close()
  }

  @Test func createInMissingFolderIsAnError() throws {
    let error = #expect(throws: HDF5Error.self) { try HDF5File.create(atPath: "/nonexistent/dir/a.h5") }
    #expect(error?.file == "/nonexistent/dir/a.h5")
  }

  @Test func readOnlyFilesRefuseWrites() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("ro.h5")
    try HDF5File.create(atPath: path).close()
    do {
      let root = try HDF5File(openingAtPath: path, mode: .readOnly).root
      let error = #expect(throws: HDF5Error.self) { try root.createGroup("g") }
      #expect(error?.libraryMessages.isEmpty == false)
    }
    let writable = try HDF5File(openingAtPath: path, mode: .readWrite)
    try writable.root.createGroup("g")
    try writable.close()
  }

  @Test func closedFileIsAnError() throws {
    let folder = try TemporaryDirectory()
    let file = try HDF5File.create(atPath: folder.path("c.h5"))
    try file.close()
    try file.close()
    #expect(throws: HDF5Error.self) { try file.root }
  }

  @Test func failuresNeverPrintToStandardErrorOnAnyThread() throws {
    let folder = try TemporaryDirectory()
    let truncated = folder.path("t.h5")
    let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("keras/mlp_relu_linear.h5")))
    try whole.prefix(3000).write(to: URL(fileURLWithPath: truncated))
    let output = capturingStandardError {
      DispatchQueue.concurrentPerform(iterations: 8) { _ in
        _ = try? HDF5File(openingAtPath: truncated)
        let root = try? HDF5File(openingAtPath: Fixtures.path("keras/mlp_relu_linear.h5")).root
        _ = try? root?.openDataset("no/such/thing")
        _ = try? root?.createGroup("read-only file")
      }
    }
    // The capture is of the process' standard error, which tests running at
    // the same time also write to; libhdf5's own reports are the ones that
    // must not appear (an error stack starts with "HDF5-DIAG" and names
    // each frame's "major:" and "minor:" error classes).
    let fromLibrary = output.split(separator: "\n").filter {
      $0.contains("HDF5-DIAG") || $0.contains("major:") || $0.contains("minor:")
    }
    #expect(fromLibrary.isEmpty, "libhdf5 printed: \(output)")
  }

  @Test func errorsStayWithTheThreadThatRaisedThem() throws {
    let root = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5")).root
    let results = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 16) { index in
      let name = "missing_\(index)"
      do {
        _ = try root.createGroup("g\(index)")
      } catch {
        results.withLock { $0.append("\(error)".contains("g\(index)") ? name : "wrong: \(error)") }
      }
    }
    #expect(results.withLock { $0.count } == 16)
    #expect(results.withLock { $0.allSatisfy { $0.hasPrefix("missing_") } })
  }
}
