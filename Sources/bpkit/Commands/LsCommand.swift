import ArgumentParser
import BPKit
import Foundation

/// `bpkit ls`: lists the groups, datasets and attributes of any HDF5 file.
struct LsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the groups, datasets and attributes of an HDF5 file.",
    discussion: """
      Works on any HDF5 file, bpkit's or another program's (Keras, h5py). Each \
      dataset is shown with its element type and shape; attributes are listed \
      with --attributes.
      """
  )

  @Argument(help: "The HDF5 file to list.")
  var file: String

  @Flag(name: .shortAndLong, help: "Also list attributes and their values (long ones are shortened).")
  var attributes = false

  func run() throws {
    try ExitStatus.reporting {
      let listing = try HDF5Listing(contentsOf: URL(fileURLWithPath: file), attributes: attributes)
      print(listing.text, terminator: "")
    }
  }
}
