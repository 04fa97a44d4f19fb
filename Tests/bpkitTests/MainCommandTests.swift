import Foundation
import Testing
import _BPKitTestSupport

@Suite struct MainCommandTests {
  @Test func printsItsVersion() throws {
    let result = try BPKitBinary.run("--version")
    #expect(result.status == 0)
    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
  }

  @Test func helpListsSubcommandsAndExitCodes() throws {
    let result = try BPKitBinary.run("--help")
    #expect(result.status == 0)
    #expect(result.output.contains("SUBCOMMANDS"))
    for command in ["train", "infer", "inspect", "plot", "diff", "convert", "ls"] {
      #expect(result.output.contains("\n  \(command) "), "\(command) is missing from the help")
    }
    #expect(result.output.contains("EXIT CODES"))
  }

  @Test func unknownOptionIsAUsageError() throws {
    let result = try BPKitBinary.run("--no-such-option")
    #expect(result.status == 2)
    #expect(result.error.contains("no-such-option"))
  }
}
