import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one way bpkit writes a file: models, checkpoints, JSON and Keras
/// files, predictions, plots and logs all go through it.
///
/// An output is opened, written, and then committed with ``commit()``;
/// one that is never committed (an error, a thrown body) is discarded. What
/// happens depends on what stands at the destination:
///
/// - **A regular file, or nothing yet**: the new content is written to a
///   temporary file beside it (`.NAME.tmp-PID-RANDOM`), synced with `fsync`
///   and renamed over the destination, and the folder is synced. A reader,
///   or a crash at any moment, finds the complete old file or the complete
///   new one (rename(2) is atomic within a file system). Symbolic links are
///   followed: the link stays and its target is replaced. The replacement
///   keeps the old file's permission bits. Temporaries that killed writers
///   left for the same name are removed first.
/// - **A character device, a FIFO, or `-` (standard output)**: written in
///   place, never replaced.
/// - **A folder, a block device or a socket**: refused.
///
/// The destination is refused as well when it is one of
/// ``FileWriteOptions/inputs``, the files the caller reads, compared by device
/// and inode, so that neither a symbolic nor a hard link gets past.
///
/// Content is written in one of two ways, not both:
/// - as bytes, with ``write(_:)-(UnsafeRawBufferPointer)``;
/// - by a library that creates files by name (libhdf5, a zip writer), at
///   ``creationPath()``.
///
/// ```swift
/// try OutputFile.write(to: "model.onnx", options: options) { output in
///   try output.write(encodedBytes)
/// }
/// try OutputFile.create("weights.h5", reservingBytes: size) { path in
///   try writeWithLibHDF5(at: path)
/// }
/// ```
///
/// Not thread-safe: one thread writes an output.
public final class OutputFile {
  /// The name that stands for standard output.
  public static let standardOutputName = "-"

  /// The destination as it was given, for messages.
  public var name: String { destination.name }

  /// Whether the destination is written in place (standard output, a
  /// character device, a FIFO, or a file opened for appending) rather than
  /// replaced.
  public var writesInPlace: Bool { mode != .replace }

  private enum Mode { case replace, inPlace, append }

  private let destination: OutputDestination
  private let mode: Mode
  private let options: FileWriteOptions
  private let reservingBytes: Int
  /// Where bytes go: the temporary file, or the destination itself.
  private var descriptor: Int32 = -1
  /// The temporary file the new content is built in, when there is one.
  private var staging: String?
  /// The temporary files of ``scratchPath(_:)``.
  private var scratch: [String] = []
  private var bytesWritten = 0
  private var createdByName = false
  /// Whether the room of `reservingBytes` was reserved or checked.
  private var reserved = false
  private var finished = false

  /// Opens `destination` for new content that replaces it when committed.
  ///
  /// - Parameters:
  ///   - destination: A path, or `-` for standard output. A new file's
  ///     folder must exist.
  ///   - options: Whether to sync (the default), and the inputs never to write.
  ///   - reservingBytes: An upper bound of the new content's size. When the
  ///     file system has no room for it, the write fails before anything is
  ///     written (libhdf5 cannot recover from a full disk): bytes are written
  ///     into space reserved with `posix_fallocate`, and a library that
  ///     creates the file by name is given a path only when the file system
  ///     has that much room free.
  /// - Throws: ``BPKitError``.
  public convenience init(replacing destination: String, options: FileWriteOptions = .init(), reservingBytes: Int = 0)
    throws(BPKitError)
  {
    do {
      try self.init(destination, options: options, reservingBytes: reservingBytes, regularFile: .replace)
      guard mode == .replace else { return }
      // Room freed by earlier replacements counts (see ReleasedFiles).
      ReleasedFiles.waitUntilFreed()
      if self.destination.kind == .file(existing: true) && ReleasedFiles.isLarge(self.destination.existingBytes) {
        ReleasedFiles.dropCachedPages(of: self.destination.path)
      }
      OutputTemporaries.removeStaleOnce(of: self.destination.fileName, in: self.destination.folder)
      try openTemporary(
        (self.destination.folder as NSString).appendingPathComponent(
          OutputTemporaries.name(for: self.destination.fileName)))

    } catch {
      throw BPKitError(error)
    }
  }

  /// Opens `destination` to append to it: a log that grows as a run goes on.
  ///
  /// A regular file is created when missing and appended to, in place
  /// (it is not replaced: what was written stays written); devices, FIFOs
  /// and standard output are written as for ``init(replacing:options:reservingBytes:)``.
  ///
  /// - Throws: ``BPKitError``.
  public convenience init(appendingTo destination: String, options: FileWriteOptions = .init()) throws(BPKitError) {
    do {
      try self.init(destination, options: options, reservingBytes: 0, regularFile: .append)
      guard mode == .append else { return }
      descriptor = open(self.destination.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o666)
      guard descriptor >= 0 else { throw OutputDestination.failure(name, "opening it to append") }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Checks `destination` and chooses how it is written: standard output,
  /// devices and FIFOs in place whatever was asked, a regular file as
  /// `regularFile` says (its opening is left to the caller).
  private init(_ destination: String, options: FileWriteOptions, reservingBytes: Int, regularFile: Mode) throws {
    self.destination = try OutputDestination(destination, inputs: options.inputs)
    self.options = options
    self.reservingBytes = max(0, reservingBytes)
    switch self.destination.kind {
    case .standardOutput:
      mode = .inPlace
      descriptor = STDOUT_FILENO
    case .stream: mode = .inPlace
    case .file: mode = regularFile
    }
  }

  deinit { discard() }

  // MARK: Writing

  /// Writes bytes after those already written.
  ///
  /// - Throws: ``BPKitError/Code/writeFailed``, with the
  ///   system's reason ("No space left on device").
  public func write(_ bytes: UnsafeRawBufferPointer) throws(BPKitError) {
    do {
      precondition(!createdByName, "an output is written either as bytes or by name, not both")
      precondition(!finished, "an output is not written after it is committed or discarded")
      try send(bytes)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Writes `data` after what was already written.
  public func write(_ data: Data) throws(BPKitError) {
    do {
      try data.withUnsafeBytes { try write($0) }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Writes `text` as UTF-8 after what was already written.
  public func write(_ text: String) throws(BPKitError) {
    do {
      var text = text
      try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }

    } catch {
      throw BPKitError(error)
    }
  }

  /// A path at which a library that creates files by name (libhdf5, a zip
  /// writer) creates the new content. Nothing exists there yet; the file
  /// created there becomes the destination on ``commit()``.
  ///
  /// For a destination written in place, the path is a temporary file in the
  /// system's temporary folder, copied into the destination on commit.
  public func creationPath() throws(BPKitError) -> String {
    do {
      precondition(bytesWritten == 0, "an output is written either as bytes or by name, not both")
      precondition(mode != .append, "an output opened for appending is written as bytes")
      if let staging, createdByName { return staging }
      if mode == .inPlace {
        closeDescriptor()
        let folder = FileManager.default.temporaryDirectory.path
        OutputTemporaries.removeStale(withPrefix: Self.inPlacePrefix, in: folder)
        let path = (folder as NSString).appendingPathComponent(
          Self.inPlacePrefix + "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
        try openTemporary(path)
      }
      // The library makes its own file: the temporary only held the name.
      closeDescriptor()
      unlink(staging!)
      try requireRoom(beside: staging!)
      createdByName = true
      return staging!

    } catch {
      throw BPKitError(error)
    }
  }

  /// A path for a scratch file beside the new content (the weights a zip
  /// writer then packs, say), removed on commit or discard, and by later
  /// writers when this process was killed.
  public func scratchPath(_ suffix: String) throws(BPKitError) -> String {
    do {
      let base = try creationPath()
      let path = base + "-" + suffix
      scratch.append(path)
      return path

    } catch {
      throw BPKitError(error)
    }
  }

  // MARK: Finishing

  /// Makes the new content the destination's: syncs and renames a replaced
  /// file, copies content created by name into a device, syncs an appended
  /// file.
  ///
  /// - Throws: ``BPKitError/Code/writeFailed``; the
  ///   destination is then unchanged when it was being replaced.
  public func commit() throws(BPKitError) {
    do {
      precondition(!finished, "an output is committed once")
      defer { discard() }
      switch mode {
      case .replace:
        try commitReplacement()
      case .inPlace:
        if createdByName, let staging { try copy(staging) }
      case .append:
        if options.synchronize && fsync(descriptor) != 0 { throw OutputDestination.failure(name, "syncing it (fsync)") }
      }
      finished = true

    } catch {
      throw BPKitError(error)
    }
  }

  /// Abandons the new content: removes the temporary files and closes the
  /// destination. Called on deinit for an output that was not committed.
  public func discard() {
    closeDescriptor()
    if let staging { unlink(staging) }
    for path in scratch { unlink(path) }
    scratch = []
    staging = nil
    finished = true
  }

  // MARK: Conveniences

  /// Writes `destination` through `body`, which writes bytes, and commits.
  ///
  /// - Throws: what `body` throws, or ``BPKitError``; the destination
  ///   is then unchanged when it was being replaced.
  public static func write(
    to destination: String, options: FileWriteOptions = .init(), reservingBytes: Int = 0,
    _ body: (OutputFile) throws -> Void
  ) throws {
    do {
      let output = try OutputFile(replacing: destination, options: options, reservingBytes: reservingBytes)
      try body(output)
      try output.commit()

    } catch let error as any BPKitErrorReason {
      throw BPKitError(error)
    }
  }

  /// Writes `destination` through `body`, which creates the file at the
  /// path it is given (see ``creationPath()``), and commits.
  public static func create(
    _ destination: String, options: FileWriteOptions = .init(), reservingBytes: Int = 0,
    _ body: (String) throws -> Void
  ) throws {
    do {
      let output = try OutputFile(replacing: destination, options: options, reservingBytes: reservingBytes)
      try body(try output.creationPath())
      try output.commit()

    } catch let error as any BPKitErrorReason {
      throw BPKitError(error)
    }
  }

  // MARK: Internals

  /// The prefix of temporaries for destinations written in place.
  static let inPlacePrefix = "bpkit-output.tmp-"

  private func openTemporary(_ path: String) throws {
    let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard created >= 0 else {
      throw OutputDestination.failure(
        name, "creating a new file in the folder '\((path as NSString).deletingLastPathComponent)'")
    }
    staging = path
    descriptor = created
  }

  /// Reserves room for the bytes about to be written into the temporary.
  ///
  /// Done on the first write rather than on opening: content a library
  /// creates by name never uses the reservation, and reserving blocks only
  /// to free them costs their discard on file systems mounted with `discard`.
  private func reserveIfNeeded() throws {
    guard !reserved else { return }
    reserved = true
    guard reservingBytes > 0, mode == .replace, descriptor >= 0 else { return }
    let status = posix_fallocate(descriptor, 0, off_t(reservingBytes))
    guard status == 0 else {
      throw OutputDestination.failure(name, "reserving \(reservingBytes) bytes for it", status)
    }
  }

  /// Checks that the file system holding `path` has `reservingBytes` free,
  /// for content a library creates by name.
  private func requireRoom(beside path: String) throws {
    guard !reserved else { return }
    reserved = true
    guard reservingBytes > 0 else { return }
    var status = statvfs()
    let folder = (path as NSString).deletingLastPathComponent
    guard statvfs(folder.isEmpty ? "." : folder, &status) == 0 else { return }
    // Root may use the blocks ext4 reserves for it; others may not.
    let blocks = geteuid() == 0 ? status.f_bfree : status.f_bavail
    let free = Int(clamping: blocks).multipliedReportingOverflow(by: Int(status.f_frsize))
    guard free.overflow || free.partialValue >= reservingBytes else {
      throw OutputDestination.failure(name, "reserving \(reservingBytes) bytes for it", ENOSPC)
    }
  }

  private func send(_ bytes: UnsafeRawBufferPointer) throws {
    try openStreamIfNeeded()
    try reserveIfNeeded()
    var offset = 0
    while offset < bytes.count {
      let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        throw OutputDestination.failure(name, "writing it")
      }
      offset += count
    }
    bytesWritten += bytes.count
  }

  private func openStreamIfNeeded() throws {
    guard descriptor < 0 else { return }
    switch destination.kind {
    case .standardOutput: descriptor = STDOUT_FILENO
    case .stream:
      descriptor = open(destination.path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
      guard descriptor >= 0 else { throw OutputDestination.failure(name, "opening it") }
    case .file: preconditionFailure("a replaced file is written through its temporary")
    }
  }

  private func closeDescriptor() {
    if descriptor >= 0 && descriptor != STDOUT_FILENO { close(descriptor) }
    descriptor = -1
  }

  private func commitReplacement() throws {
    guard let staging else { return }
    if let permissions = destination.permissions, chmod(staging, permissions) != 0 {
      throw OutputDestination.failure(name, "giving the new file the permissions of the one it replaces")
    }
    if createdByName {
      if options.synchronize { try Self.sync(staging, directory: false, name: name) }
    } else {
      // Writes went into a reservation that may be longer than they are.
      if reservingBytes > bytesWritten && ftruncate(descriptor, off_t(bytesWritten)) != 0 {
        throw OutputDestination.failure(name, "trimming the new file")
      }
      // Synced through the descriptor the bytes went through, not reopened.
      if options.synchronize && fsync(descriptor) != 0 {
        throw OutputDestination.failure(name, "syncing the new file (fsync)")
      }
      closeDescriptor()
    }
    // Held open across the rename, a large old file is freed on a background
    // thread rather than inside rename(2) (see ReleasedFiles).
    let replaced =
      destination.kind == .file(existing: true) && ReleasedFiles.isLarge(destination.existingBytes)
      ? open(destination.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW) : -1
    guard rename(staging, destination.path) == 0 else {
      let code = errno
      if replaced >= 0 { close(replaced) }
      throw OutputDestination.failure(name, "renaming the new file over it", code)
    }
    self.staging = nil
    // The old file is freed after the folder is synced: freed at once, its
    // blocks' discards (this project's ext4 is mounted with `discard`) kept
    // the folder's fsync waiting 18-20 ms behind them, against 0.1 ms when
    // creating (`strace -T` of `bench checkpoint`, BENCHMARKS.md).
    defer { if replaced >= 0 { ReleasedFiles.close(later: replaced) } }
    if options.synchronize { try Self.sync(destination.folder, directory: true, name: name) }
  }

  /// Copies the file a library created into the destination written in place.
  private func copy(_ path: String) throws {
    let source = open(path, O_RDONLY | O_CLOEXEC)
    guard source >= 0 else { throw OutputDestination.failure(name, "reading back the new content") }
    defer { close(source) }
    try openStreamIfNeeded()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let count = read(source, buffer.baseAddress, buffer.count)
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw OutputDestination.failure(name, "reading back the new content") }
      if count == 0 { return }
      try send(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }
  }

  private static func sync(_ path: String, directory: Bool, name: String) throws {
    let descriptor = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw OutputDestination.failure(name, directory ? "opening its folder to sync it" : "opening the new file")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw OutputDestination.failure(name, directory ? "syncing its folder (fsync)" : "syncing the new file (fsync)")
    }
  }
}
