import Foundation

// bpkit-fuzz TARGET ...
//
// Built normally (`swift build`), it replays inputs: every file named, and
// every file in every folder named, runs once through TARGET; a crash is a
// finding, errors are not. `make test` replays Fixtures/fuzz-corpus this way.
//
// Built by `make fuzz` with `-sanitize=fuzzer,address -DBPKIT_LIBFUZZER`, it
// is a libFuzzer binary: the arguments after TARGET go to libFuzzer
// (corpus folders, -max_total_time=N, ...). libFuzzer's own main is not
// used, since this program has one: LLVMFuzzerRunDriver runs it instead
// (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library).

let arguments = CommandLine.arguments
// libFuzzer's -fork mode starts this program again with its own arguments
// only: the target then comes from the environment, set here for them.
let named = arguments.count >= 2 ? FuzzTarget(rawValue: arguments[1]) : nil
guard let target = named ?? ProcessInfo.processInfo.environment["BPKIT_FUZZ_TARGET"].flatMap(FuzzTarget.init)
else {
  let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
  FileHandle.standardError.write(Data("usage: bpkit-fuzz \(names) [inputs or libFuzzer options...]\n".utf8))
  exit(2)
}
setenv("BPKIT_FUZZ_TARGET", target.rawValue, 1)
let options = arguments.dropFirst(named == nil ? 1 : 2)
defer { unlink(FuzzTarget.scratchPath) }

#if BPKIT_LIBFUZZER
  nonisolated(unsafe) var selected = target

  /// The entry point libFuzzer's runtime names (its driver refers to it
  /// even when the program has its own main).
  @_cdecl("LLVMFuzzerTestOneInput")
  func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }

  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  // libFuzzer sees the program name and the arguments after TARGET.
  let forwarded = [arguments[0]] + options
  var pointers: [UnsafeMutablePointer<CChar>?] = forwarded.map { strdup($0) } + [nil]
  var count = CInt(forwarded.count)
  let status = pointers.withUnsafeMutableBufferPointer { buffer in
    var base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&count, &base, fuzzOneInput)
  }
  exit(status)
#else
  var inputs: [String] = []
  for path in options {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      FileHandle.standardError.write(Data("bpkit-fuzz: no such input: \(path)\n".utf8))
      exit(2)
    }
    if isFolder.boolValue {
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      inputs += entries.sorted().map { (path as NSString).appendingPathComponent($0) }
    } else {
      inputs.append(path)
    }
  }
  for input in inputs {
    guard let data = FileManager.default.contents(atPath: input) else { continue }
    data.withUnsafeBytes { target.run($0) }
  }
  print("bpkit-fuzz: \(inputs.count) inputs replayed through \(target.rawValue) without a crash")
#endif
