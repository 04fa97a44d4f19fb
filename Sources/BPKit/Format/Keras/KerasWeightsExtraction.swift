import Foundation
import ZIPFoundation

/// Extracts a `.keras` archive's `model.weights.h5` into memory, never to a
/// file system, and never larger than a cap.
///
/// libhdf5 reads the member as a file image (`HDF5File(image:name:)`), and
/// the child-process probe reads the same bytes from its standard input
/// (``HDF5Probe/check(image:name:)``): nothing is left behind however the
/// process ends, and the system's temporary folder is not touched.
///
/// The cap: a Keras archive stores its weights uncompressed (saving_lib
/// writes `ZIP_STORED`), so real weights are about as large as the archive.
/// A member that inflates past ``maximumBytes(forArchiveOf:)`` is refused
/// before it fills memory (a 3 MB archive declared 3 GB).
enum KerasWeightsExtraction {
  /// The most bytes the weights of an archive of `archiveBytes` may take:
  /// sixteen times the archive, and at least 256 MiB.
  static func maximumBytes(forArchiveOf archiveBytes: Int) -> Int {
    max(256 << 20, archiveBytes.multipliedReportingOverflow(by: 16).overflow ? Int.max : archiveBytes * 16)
  }

  private struct TooLarge: Error {}

  /// Extracts `entry` into memory.
  ///
  /// - Throws: ``KerasError/invalidConfiguration(file:detail:)`` for weights
  ///   past the cap; ``KerasError/io(file:detail:)`` when extraction fails.
  static func extract(_ entry: Entry, from archive: Archive, file: String) throws -> Data {
    var status = stat()
    let archiveBytes = stat(file, &status) == 0 ? Int(status.st_size) : 0
    let limit = maximumBytes(forArchiveOf: archiveBytes)
    guard entry.uncompressedSize <= UInt64(limit) else {
      throw refusal(file, declared: entry.uncompressedSize, limit: limit)
    }
    var data = Data()
    data.reserveCapacity(Int(entry.uncompressedSize))
    do {
      // The declared size may lie: count what comes out.
      _ = try archive.extract(entry, skipCRC32: false) { chunk in
        guard data.count + chunk.count <= limit else { throw TooLarge() }
        data.append(chunk)
      }
    } catch is TooLarge {
      throw refusal(file, declared: UInt64(data.count), limit: limit)
    } catch {
      throw KerasError.io(file: file, detail: "cannot extract model.weights.h5: \(error)")
    }
    return data
  }

  private static func refusal(_ file: String, declared: UInt64, limit: Int) -> KerasError {
    .invalidConfiguration(
      file: file,
      detail: "model.weights.h5 inflates to more than \(limit) bytes (\(declared) so far), far more than "
        + "the archive holds; it is refused rather than extracted")
  }
}
