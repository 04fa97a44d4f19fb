// Checks Float32Text on every finite Float with bit patterns in [FROM, TO)
// (TO 0 means up to 2^32): the text `Float32Text.write` gives must be
// `Float.description`'s byte for byte (the shortest digits, the closest of
// them, the same layout) and must read back through `Float32Text.parse`
// as the same bits; every 256th text must also read as the same bits
// through glibc's `strtof`.
//
//   F=Sources/BPKit/Format/JSON
//   swiftc -O -module-name Float32Exhaustive $F/Float32Text.swift $F/Float32Text+Powers.swift \
//     $F/Float32Text+Shortest.swift $F/Float32Text+Digits.swift Scripts/float32-exhaustive/main.swift \
//     -o /tmp/float32-exhaustive
//   /tmp/float32-exhaustive 0 2147483648 && /tmp/float32-exhaustive 2147483648 0
//
// Each half takes about 130 s of processor time (most of it in
// `Float.description`); the output ends with the number checked and the
// failures (the first ten are printed).
#if canImport(Glibc)
  import Glibc
#endif

guard CommandLine.arguments.count == 3, let from = UInt32(CommandLine.arguments[1]),
  let to = UInt32(CommandLine.arguments[2])
else {
  print("usage: float32-exhaustive FROM TO (bit patterns; TO 0 means 2^32)")
  exit(2)
}
var failures = 0
var checked: UInt64 = 0
var buffer = [UInt8](repeating: 0, count: Float32Text.maximumLength + 1)
buffer.withUnsafeMutableBufferPointer { storage in
  let text = storage.baseAddress!
  var bits = from
  repeat {
    let value = Float(bitPattern: bits)
    if value.isFinite {
      let count = Float32Text.write(value, to: text)
      var description = value.description
      var wrong = description.withUTF8 { $0.count != count || memcmp($0.baseAddress!, text, count) != 0 }
      let read = Float32Text.parse(UnsafePointer(text), UnsafePointer(text + count))
      wrong = wrong || read?.bitPattern != bits
      if bits & 0xFF == 0 {
        text[count] = 0
        wrong = wrong || strtof(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self), nil).bitPattern != bits
      }
      if wrong {
        failures += 1
        if failures <= 10 {
          print(
            "wrong:", bits, description, String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
          )
        }
      }
      checked += 1
    }
    bits &+= 1
  } while bits != to
}
print("checked \(checked) finite floats from \(from) to \(to), failures \(failures)")
exit(failures == 0 ? 0 : 1)
