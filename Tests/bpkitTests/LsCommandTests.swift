import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct LsCommandTests {
  @Test func listsAKerasFileWithAttributes() throws {
    let result = try BPKitBinary.run("ls", "--attributes", Fixtures.path("keras/mlp_tanh_softmax.h5"))
    #expect(result.status == 0)
    #expect(result.error.isEmpty)
    #expect(result.output.contains("@layer_names = [\"hidden\", \"out\"]"))
    #expect(result.output.contains("kernel  float32 [4, 8]"))
  }

  @Test func missingFileExitsWithTheIOCode() throws {
    let result = try BPKitBinary.run("ls", "/nonexistent.h5")
    #expect(result.status == 4)
    #expect(result.error == "bpkit: error: no such file: '/nonexistent.h5'\n")
    #expect(result.output.isEmpty)
  }

  @Test func nonHDF5FileExitsWithTheBadInputCode() throws {
    let result = try BPKitBinary.run("ls", Fixtures.path("datasets/iris.csv"))
    #expect(result.status == 3)
    #expect(result.error.contains("not an HDF5 file"))
  }

  /// The command prints BPKit's listing byte for byte, with and without attributes.
  @Test(arguments: ["keras/mlp_tanh_softmax.h5", "keras/mlp_tanh_softmax.ref.h5", "datasets/digits.h5"])
  func printsTheLibrarysListing(fixture: String) throws {
    let path = Fixtures.path(fixture)
    for attributes in [false, true] {
      let result = try BPKitBinary.run(arguments: ["ls", path] + (attributes ? ["--attributes"] : []))
      #expect(result.status == 0, "\(result.error)")
      let listing = try HDF5Listing(contentsOf: URL(fileURLWithPath: path), attributes: attributes)
      #expect(!listing.lines.isEmpty)
      #expect(result.output == listing.text, "\(fixture), attributes: \(attributes)")
    }
  }
}
