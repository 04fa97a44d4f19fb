// swift-tools-version: 6.1
import PackageDescription

// An app that embeds BPKit: it depends on the bpkit package by path, as an
// app in the same repository or a checkout beside it would.
let package = Package(
  name: "TrainAndResume",
  dependencies: [
    .package(name: "bpkit", path: "../..")
  ],
  targets: [
    .executableTarget(
      name: "TrainAndResume",
      dependencies: [.product(name: "BPKit", package: "bpkit")]
    )
  ],
  swiftLanguageModes: [.v6]
)
