import Foundation
import ZIPFoundation

/// Extracts a `.keras` archive's `model.weights.h5` for libhdf5, which reads
/// files, not zip members: into one private file in the system's temporary
/// folder, never larger than a cap, and never left behind.
///
/// - The cap: a Keras archive stores its weights uncompressed (saving_lib
///   writes `ZIP_STORED`), so real weights are about as large as the
///   archive. A member that inflates past ``maximumBytes(forArchiveOf:)`` is
///   refused before it fills the disk (a 3 MB archive declared 3 GB).
/// - Clean-up: the caller removes the file when done; a process killed
///   before that leaves `bpkit-keras-PID-RANDOM.h5`, which the next
///   extraction removes once that process is gone.
enum KerasWeightsExtraction {
  static let prefix = "bpkit-keras-"

  /// The most bytes the weights of an archive of `archiveBytes` may take:
  /// sixteen times the archive, and at least 256 MiB.
  static func maximumBytes(forArchiveOf archiveBytes: Int) -> Int {
    max(256 << 20, archiveBytes.multipliedReportingOverflow(by: 16).overflow ? Int.max : archiveBytes * 16)
  }

  private struct TooLarge: Error {}

  /// Extracts `entry` and returns the file's URL; the caller removes it.
  ///
  /// - Throws: ``KerasError/invalidConfiguration(file:detail:)`` for weights
  ///   past the cap; ``KerasError/io(file:detail:)`` when extraction fails.
  static func extract(_ entry: Entry, from archive: Archive, file: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.path
    OutputTemporaries.removeStale(withPrefix: prefix, in: folder)
    let path = (folder as NSString).appendingPathComponent(
      prefix + "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16) + ".h5")
    var status = stat()
    let archiveBytes = stat(file, &status) == 0 ? Int(status.st_size) : 0
    let limit = maximumBytes(forArchiveOf: archiveBytes)
    guard entry.uncompressedSize <= UInt64(limit) else {
      throw refusal(file, declared: entry.uncompressedSize, limit: limit)
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw KerasError.io(
        file: file, detail: "cannot create \(path) to extract model.weights.h5: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
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
      unlink(path)
      throw refusal(file, declared: UInt64(written), limit: limit)
    } catch {
      unlink(path)
      throw KerasError.io(file: file, detail: "cannot extract model.weights.h5: \(error)")
    }
    return URL(fileURLWithPath: path)
  }

  private static func refusal(_ file: String, declared: UInt64, limit: Int) -> KerasError {
    .invalidConfiguration(
      file: file,
      detail: "model.weights.h5 inflates to more than \(limit) bytes (\(declared) so far), far more than "
        + "the archive holds; it is refused rather than extracted")
  }
}
