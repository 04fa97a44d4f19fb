import BPKit
import CCRC32
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct CRC32Tests {
  @Test func equalsZlibForEveryLengthAndAlignment() {
    var bytes = [UInt8](repeating: 0, count: 5_000)
    var state: UInt32 = 12345
    for index in bytes.indices {
      state = state &* 1_103_515_245 &+ 12345
      bytes[index] = UInt8(truncatingIfNeeded: state >> 16)
    }
    bytes.withUnsafeBytes { all in
      for length in [0, 1, 15, 16, 63, 64, 65, 255, 256, 257, 1000, 4095, 4096, 4999] {
        for offset in [0, 1, 7] where offset + length <= all.count {
          let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
          let expected = bpk_crc32_zlib(0, slice.baseAddress, length)
          #expect(CRC32.checksum(slice) == expected, "length \(length), offset \(offset)")
        }
      }
    }
  }

  @Test func appendingAKnownChecksumEqualsReadingTheBytes() {
    var generator = FormatSamples.Generator(seed: 11)
    let bytes = (0..<100_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    bytes.withUnsafeBytes { all in
      for _ in 0..<200 {
        let split = Int(generator.next() % 100_000)
        let end = split + Int(generator.next() % UInt64(100_000 - split + 1))
        var read = CRC32()
        read.update(UnsafeRawBufferPointer(rebasing: all[..<end]))
        var combined = CRC32()
        combined.update(UnsafeRawBufferPointer(rebasing: all[..<split]))
        combined.append(crc: CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[split..<end])), count: end - split)
        #expect(combined == read, "split \(split), end \(end)")
      }
    }
  }

  @Test func equalsZlibOnRandomLengthsOffsetsAndSeeds() {
    var generator = FormatSamples.Generator(seed: 7)
    let bytes = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    bytes.withUnsafeBytes { all in
      for _ in 0..<3_000 {
        let length = Int(generator.next() % 65_000)
        let offset = Int(generator.next() % 64)
        let seed = UInt32(truncatingIfNeeded: generator.next())
        let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
        #expect(bpk_crc32(seed, slice.baseAddress, length) == bpk_crc32_zlib(seed, slice.baseAddress, length))
      }
    }
    #expect(["vpclmulqdq-avx512", "pclmulqdq", "zlib"].contains(CRC32.implementation))
  }

  @Test func continuesAcrossPieces() {
    let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
    bytes.withUnsafeBytes { all in
      #expect(CRC32.checksum(all) == 0x414F_A339)
      var crc = CRC32()
      crc.update(UnsafeRawBufferPointer(rebasing: all[..<10]))
      crc.update(UnsafeRawBufferPointer(rebasing: all[10...]))
      #expect(crc.value == 0x414F_A339)
    }
  }
}
