import Foundation
import ZIPFoundation

/// Extracts a `.keras` archive's `model.weights.h5` for libhdf5, which reads
/// files, not zip members: into a private file of the system's temporary
/// folder, never larger than a cap, whose name lasts only until libhdf5 has
/// opened it.
///
/// - The name: the child-process probe (``HDF5Probe``) must parse the same
///   bytes in a separate process, and libhdf5 opens files by name (it
///   resolves a `/proc/PID/fd/N` link to the deleted file's old name and
///   fails), so the file keeps its name (`bpkit-keras-PID-RANDOM.h5`) while
///   it is extracted, probed and opened, then ``removeName()`` unlinks it:
///   all the reading that follows is of a file with no name, which the
///   kernel frees when libhdf5 closes it or the process ends, however it
///   ends. One left by a process killed before that is removed by the next
///   extraction, once that process is gone.
/// - The cap: a Keras archive stores its weights uncompressed (saving_lib
///   writes `ZIP_STORED`), so real weights are about as large as the
///   archive. A member that inflates past ``maximumBytes(forArchiveOf:)`` is
///   refused before it fills the disk (a 3 MB archive declared 3 GB).
final class KerasWeightsExtraction {
  static let prefix = "bpkit-keras-"

  /// The file's name while it has one.
  let path: String
  private var named = true

  private init(path: String) {
    self.path = path
  }

  deinit { removeName() }

  /// Unlinks the file's name; a file libhdf5 has open stays readable.
  func removeName() {
    guard named else { return }
    unlink(path)
    named = false
  }

  /// The most bytes the weights of an archive of `archiveBytes` may take:
  /// sixteen times the archive, and at least 256 MiB.
  static func maximumBytes(forArchiveOf archiveBytes: Int) -> Int {
    max(256 << 20, archiveBytes.multipliedReportingOverflow(by: 16).overflow ? Int.max : archiveBytes * 16)
  }

  private struct TooLarge: Error {}

  /// Extracts `entry`; the file lasts as long as the returned value.
  ///
  /// - Throws: ``KerasError/invalidConfiguration(file:detail:)`` for weights
  ///   past the cap; ``KerasError/io(file:detail:)`` when extraction fails.
  static func extract(_ entry: Entry, from archive: Archive, file: String) throws -> KerasWeightsExtraction {
    let folder = FileManager.default.temporaryDirectory.path
    OutputTemporaries.removeStale(withPrefix: prefix, in: folder)
    var status = stat()
    let archiveBytes = stat(file, &status) == 0 ? Int(status.st_size) : 0
    let limit = maximumBytes(forArchiveOf: archiveBytes)
    guard entry.uncompressedSize <= UInt64(limit) else {
      throw refusal(file, declared: entry.uncompressedSize, limit: limit)
    }
    let path = (folder as NSString).appendingPathComponent(
      prefix + "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16) + ".h5")
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw KerasError.io(
        file: file, detail: "cannot create \(path) to extract model.weights.h5: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let extraction = KerasWeightsExtraction(path: path)
    var written = 0
    do {
      // The declared size may lie: count what comes out.
      _ = try archive.extract(entry, skipCRC32: false) { chunk in
        guard written + chunk.count <= limit else { throw TooLarge() }
        try chunk.withUnsafeBytes { bytes in
          var offset = 0
          while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += count
          }
        }
        written += chunk.count
      }
    } catch is TooLarge {
      throw refusal(file, declared: UInt64(written), limit: limit)
    } catch {
      throw KerasError.io(file: file, detail: "cannot extract model.weights.h5: \(error)")
    }
    return extraction
  }

  private static func refusal(_ file: String, declared: UInt64, limit: Int) -> KerasError {
    .invalidConfiguration(
      file: file,
      detail: "model.weights.h5 inflates to more than \(limit) bytes (\(declared) so far), far more than "
        + "the archive holds; it is refused rather than extracted")
  }
}
