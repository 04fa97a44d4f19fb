// swift-tools-version: 6.1
import PackageDescription

// An app that embeds BPKit: it depends on the bpkit package by path, as an
// app in the same repository or a checkout beside it would.
let package = Package(
  name: "PredictFromCheckpoint",
  dependencies: [
    .package(name: "bpkit", path: "../..")
  ],
  targets: [
    .executableTarget(
      name: "PredictFromCheckpoint",
      dependencies: [.product(name: "BPKit", package: "bpkit")]
    )
  ],
  swiftLanguageModes: [.v6]
)
