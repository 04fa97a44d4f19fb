import Crypto
import Foundation

extension DataFingerprint {
  /// Computes the SHA-256 of a regular file's bytes, reading it in 1 MiB blocks.
  ///
  /// The file is opened without blocking and must be a regular file, so a
  /// FIFO or a device never makes this wait or read forever.
  ///
  /// - Throws: ``BPKitError`` when the file cannot be read or is not a regular file.
  public static func of(fileAt path: String, sampleCount: Int) throws(BPKitError) -> DataFingerprint {
    do {
      let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
      guard descriptor >= 0 else {
        throw errno == ENOENT
          ? DataError.fileNotFound(path: path)
          : DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
      }
      defer { close(descriptor) }
      var status = stat()
      guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        throw DataError.unreadable(path: path, reason: "it is not a regular file")
      }
      var hasher = SHA256()
      var block = [UInt8](repeating: 0, count: 1 << 20)
      while true {
        let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
          if errno == EINTR { continue }
          throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if count == 0 { break }
        block.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
      }
      let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
      return DataFingerprint(sha256: digest, path: path, sampleCount: sampleCount)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The stored ``path``, once confirmed to hold the data this fingerprint
  /// describes: a regular, non-empty file this process can read whose
  /// SHA-256 is ``sha256``.
  ///
  /// A path read from a file (a checkpoint names its training data) is
  /// untrusted: it may name `/etc/shadow`, `/proc/self/environ`, a device or
  /// a FIFO. Such a path is opened for parsing only once this confirms it;
  /// otherwise the user names the data. Nothing of the file's content ever
  /// appears in the error.
  ///
  /// - Parameter role: What the data is for, in the error: "training data", "validation data".
  /// - Throws: ``BPKitError/Code/dataChanged``.
  public func confirmedStoredPath(role: String) throws(BPKitError) -> String {
    do {
      do {
        _ = try OpeningPolicy.regularFileSize(path)
      } catch {
        throw TrainingError.storedDataUnconfirmed(role: role, path: path, reason: error.description)
      }
      let now: DataFingerprint
      do {
        now = try DataFingerprint.of(fileAt: path, sampleCount: sampleCount)
      } catch {
        throw TrainingError.storedDataUnconfirmed(role: role, path: path, reason: error.description)
      }
      guard now.sha256 == sha256 else {
        throw TrainingError.storedDataUnconfirmed(
          role: role, path: path,
          reason: "its SHA-256 is \(now.sha256.prefix(12))…, not the \(sha256.prefix(12))… the checkpoint recorded")
      }
      return path

    } catch {
      throw BPKitError(error)
    }
  }
}
