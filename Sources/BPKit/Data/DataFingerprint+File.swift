import Crypto
import Foundation

extension DataFingerprint {
  /// Computes the SHA-256 of a file's bytes, reading it in 1 MiB blocks.
  ///
  /// - Throws: ``DataError`` when the file cannot be read.
  public static func of(fileAt path: String, sampleCount: Int) throws(DataError) -> DataFingerprint {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FileManager.default.fileExists(atPath: path)
        ? .unreadable(path: path, reason: "permission denied") : .fileNotFound(path: path)
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
      while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
        hasher.update(data: block)
      }
    } catch {
      throw .unreadable(path: path, reason: error.localizedDescription)
    }
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    return DataFingerprint(sha256: digest, path: path, sampleCount: sampleCount)
  }
}
