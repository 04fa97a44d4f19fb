// swift-tools-version: 6.1
import PackageDescription

// MARK: - C libraries

/// libhdf5, found through Debian's serial build. `hdf5.pc` is only an
/// alternatives link that may point at an MPI build, so ask for the serial one.
let cHDF5 = Target.systemLibrary(
  name: "CHDF5",
  pkgConfig: "hdf5-serial",
  providers: [.apt(["libhdf5-dev"])]
)

/// Debug builds compile the kernels with -O2 when `BPKIT_OPTIMIZED_KERNELS`
/// is set (the Makefile sets it, since the tests run debug builds). It is an
/// unsafe flag, which SwiftPM refuses in packages depended on by URL, so an
/// app that depends on bpkit never sees it. The numbers do not change with
/// it: every path's arithmetic is fixed by intrinsics and explicit fma calls.
let optimizedKernelsInDebug: [CSetting] =
  Context.environment["BPKIT_OPTIMIZED_KERNELS"] == nil
  ? [] : [.unsafeFlags(["-O2"], .when(configuration: .debug))]

/// bpkit's own matrix kernels (AVX-512, AVX2+FMA and portable paths chosen
/// at run time, one fixed order of arithmetic for all; see CKernels.h).
let cKernels = Target.target(
  name: "CKernels",
  cSettings: optimizedKernelsInDebug,
  linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m")]
)

/// CRC-32 at memory speed (carry-less multiplication), with zlib's crc32
/// for the tails and for processors without PCLMULQDQ.
let cCRC32 = Target.target(
  name: "CCRC32",
  linkerSettings: [.linkedLibrary("z")]
)

/// Open MPI, for the MPI-enabled build only (`make mpi`, which sets
/// `BPKIT_MPI`): without the variable, the MPI targets are not part of the
/// package, so a machine without Open MPI builds and tests bpkit as ever.
let mpiEnabled = Context.environment["BPKIT_MPI"] != nil

let cMPI = Target.systemLibrary(
  name: "CMPI",
  pkgConfig: "ompi-c",
  providers: [.apt(["libopenmpi-dev"])]
)

/// The HDF5 probe's walk (see `HDF5Probe`), in C: the `bpkit-probe`
/// program is this and libhdf5 alone, so it starts in about a millisecond.
let cHDF5Probe = Target.target(
  name: "CHDF5Probe",
  dependencies: ["CHDF5"]
)

// MARK: - Swift libraries

let hdf5 = Target.target(
  name: "HDF5",
  dependencies: ["CHDF5"]
)

let bpkit = Target.target(
  name: "BPKit",
  dependencies: [
    "HDF5",
    "CHDF5Probe",
    "CKernels",
    "CCRC32",
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    // ONNX files are protobuf messages (Format/ONNX/Generated/onnx.pb.swift).
    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
  ]
)

/// ``Communicator`` over MPI: the ranks of `mpirun` (MPI-enabled build only).
let bpkitMPI = Target.target(
  name: "BPKitMPI",
  dependencies: ["BPKit", "CMPI"]
)

// MARK: - Command-line tool

let cli = Target.executableTarget(
  name: "bpkit",
  dependencies: [
    "BPKit",
    "HDF5",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
  ] + (mpiEnabled ? ["BPKitMPI"] : []),
  swiftSettings: mpiEnabled ? [.define("BPKIT_MPI")] : []
)

/// The HDF5 probe: the opening policy runs it in a child process on every
/// untrusted HDF5 file before libhdf5 parses the file in the program
/// itself. Programs that embed BPKit ship it beside their executable. It is
/// C, linked with libhdf5 alone, so that a probe costs a millisecond.
let probe = Target.executableTarget(
  name: "bpkit-probe",
  dependencies: ["CHDF5Probe"]
)

// MARK: - Examples

/// The example apps. Each is a package of its own (Examples/NAME/Package.swift,
/// depending on bpkit by path) for an app to start from; they are built here
/// too, so that `make test` compiles BPKit and its dependencies only once.
let examples = ["PredictFromCheckpoint", "TrainAndResume"].map { name in
  Target.executableTarget(name: name, dependencies: ["BPKit"], path: "Examples/\(name)/Sources/\(name)")
}

// MARK: - Tests

let testSupport = Target.target(
  name: "_BPKitTestSupport",
  dependencies: ["HDF5", "BPKit"],
  path: "Tests/_BPKitTestSupport"
)

/// A program the crash-safety test kills while it writes checkpoints.
let checkpointWriterFixture = Target.executableTarget(
  name: "CheckpointWriterFixture",
  dependencies: ["BPKit"],
  path: "Tests/CheckpointWriterFixture"
)

/// The fuzzing harness: replays Fixtures/fuzz-corpus in `make test`, and is a
/// libFuzzer binary when `make fuzz` builds it with `-sanitize=fuzzer`.
let fuzzHarness = Target.executableTarget(
  name: "BPKitFuzz",
  dependencies: ["BPKit"],
  path: "Fuzz/BPKitFuzz"
)

let tests: [Target] = [
  .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "_BPKitTestSupport"]),
  .testTarget(
    name: "BPKitTests",
    dependencies: [
      "BPKit", "HDF5", "CCRC32", "_BPKitTestSupport", .product(name: "Crypto", package: "swift-crypto"),
      .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    ]),
  .testTarget(name: "bpkitTests", dependencies: ["BPKit", "HDF5", "_BPKitTestSupport"]),
  /// Crashes, damaged and hostile files, full disks, concurrency and
  /// divergence, through the built `bpkit`; see RELIABILITY.md.
  .testTarget(name: "ReliabilityTests", dependencies: ["BPKit", "HDF5", "_BPKitTestSupport"]),
]

// MARK: - Package

let package = Package(
  name: "bpkit",
  products: [
    .library(name: "BPKit", targets: ["BPKit"]),
    .library(name: "HDF5", targets: ["HDF5"]),
    .executable(name: "bpkit", targets: ["bpkit"]),
    .executable(name: "bpkit-probe", targets: ["bpkit-probe"]),
    .executable(name: "bpkit-fuzz", targets: ["BPKitFuzz"]),
  ] + (mpiEnabled ? [.library(name: "BPKitMPI", targets: ["BPKitMPI"])] : []),
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // Keras 3 `.keras` files are zip archives.
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    // `swift package generate-documentation`: the DocC catalogs of BPKit and HDF5.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    cHDF5, cHDF5Probe, cKernels, cCRC32, hdf5, bpkit, cli, probe, testSupport, checkpointWriterFixture, fuzzHarness,
  ]
    + (mpiEnabled ? [cMPI, bpkitMPI] : [])
    + examples
    + tests,
  swiftLanguageModes: [.v6]
)
