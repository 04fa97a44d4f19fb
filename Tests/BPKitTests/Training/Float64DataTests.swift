import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A float64 run's data is read in Float64 (CSV numbers as the nearest
/// Double, float64 HDF5 datasets as stored), so it trains and infers on the
/// numbers the file holds, never on their Float32 rounding; a float32 run
/// reads exactly as before.
@Suite struct Float64DataTests {
  /// 40 samples of 3 features and a class label, whose features need more
  /// than Float32's 24 bits, and the same values in CSV, in a float64 HDF5
  /// file, and rounded to Float32 in a float32 HDF5 file.
  struct Files {
    let folder: TemporaryDirectory
    let inputs: [Double]
    let labels: [Double]
    var csv: String { folder.path("data.csv") }
    var wide: String { folder.path("wide.h5") }
    var narrow: String { folder.path("narrow.h5") }

    init() throws {
      folder = try TemporaryDirectory(prefix: "bpkit-float64-data")
      var random = Xoshiro256StarStar(seed: 11)
      var inputs: [Double] = []
      var labels: [Double] = []
      for row in 0..<40 {
        let label = row % 3
        for feature in 0..<3 {
          let noise = Double(random.next() >> 11) / Double(1 << 53)
          inputs.append(Double(label) + 0.5 * Double(feature) + noise)
        }
        labels.append(Double(label))
      }
      self.inputs = inputs
      self.labels = labels
      var text = "a,b,c,label\n"
      for row in 0..<40 {
        text += inputs[(3 * row)..<(3 * row + 3)].map { "\($0)" }.joined(separator: ",") + ",\(Int(labels[row]))\n"
      }
      try text.write(toFile: folder.path("data.csv"), atomically: true, encoding: .utf8)
      do {
        let root = try HDF5File.create(atPath: folder.path("wide.h5")).root
        try root.createGroup("train").write(inputs, shape: [40, 3], to: "x")
        try root.openGroup("train").write(labels.map { Int64($0) }, shape: [40], to: "y")
      }
      do {
        let root = try HDF5File.create(atPath: folder.path("narrow.h5")).root
        try root.createGroup("train").write(inputs.map { Float($0) }, shape: [40, 3], to: "x")
        try root.openGroup("train").write(labels.map { Int64($0) }, shape: [40], to: "y")
      }
    }
  }

  @Test func csvNumbersAreReadAsTheNearestDoubleForAFloat64Run() throws {
    let files = try Files()
    let wide = try Dataset.readCSV(path: files.csv, targetColumns: ["label"], dtype: .float64)
    #expect(wide.dtype == .float64)
    #expect(wide.float64Inputs?.scalars.map(\.bitPattern) == files.inputs.map(\.bitPattern))
    #expect(wide.float64Targets?.scalars == files.labels)
    #expect(wide.inputs.scalars == files.inputs.map { Float($0) })
    #expect(files.inputs.allSatisfy { Double(Float($0)) != $0 })
    // A float32 run reads as before: the same Float32 values, nothing more.
    let narrow = try Dataset.readCSV(path: files.csv, targetColumns: ["label"])
    #expect(narrow.dtype == .float32)
    #expect(narrow.float64Inputs == nil)
    #expect(narrow.inputs == wide.inputs)
  }

  @Test func hdf5DatasetsAreReadInFloat64AsStored() throws {
    let files = try Files()
    let reader = try HDF5SampleReader(path: files.wide, inputs: "/train/x", targets: "/train/y", dtype: .float64)
    let whole = try reader.read(rows: 0..<40)
    #expect(whole.float64Inputs?.scalars.map(\.bitPattern) == files.inputs.map(\.bitPattern))
    #expect(whole.float64Targets?.scalars == files.labels)
    // Scattered rows (a seeded split's) and batches in order read the same values.
    let rows = [1, 2, 5, 30, 39]
    let scattered = try reader.read(rowsIn: RowSet(ascending: rows))
    #expect(scattered == whole.subset(rows))
    #expect(scattered.float64Inputs == whole.subset(rows).float64Inputs)
    var batched: [Double] = []
    var labels: [Double] = []
    while let batch = try reader.next(limit: 7) {
      batched += batch.float64Inputs ?? []
      labels += batch.float64Labels ?? []
    }
    #expect(batched.map(\.bitPattern) == files.inputs.map(\.bitPattern))
    #expect(labels == files.labels)
    // A float32 file read in Float64 is widened exactly.
    let narrow = try HDF5SampleReader(path: files.narrow, inputs: "/train/x", targets: "/train/y", dtype: .float64)
    #expect(try narrow.read(rows: 0..<40).float64Inputs?.scalars == files.inputs.map { Double(Float($0)) })
  }

  @Test func csvSamplesForInferenceKeepEveryDigit() throws {
    let files = try Files()
    let layout = SampleLayout(.vector(features: 3))
    let csv = try SampleFile.open(files.csv, layout: layout, labels: "label", dtype: .float64)
    let batch = try #require(try csv.next(limit: 100))
    #expect(batch.float64Inputs?.map(\.bitPattern) == files.inputs.map(\.bitPattern))
    #expect(batch.float64Labels == files.labels)
    #expect(batch.inputs == files.inputs.map { Float($0) })
  }

  static func options(_ data: String, folder: TemporaryDirectory, name: String, stream: Bool = false)
    -> TrainingOptions
  {
    TrainingOptions(
      start: .init(layers: "3,8:tanh,3:softmax", dtype: .float64),
      data: .init(
        data: data, target: data.hasSuffix(".csv") ? "label" : nil, validationSplit: 0.25, standardize: true,
        stream: stream,
        validationSplitSeed: 5),
      schedule: .init(epochs: 2, batchSize: 8, optimizer: .adam, seed: 3),
      output: .init(checkpoint: folder.path("run-\(name)")))
  }

  @Test func aFloat64RunTrainsOnItsDataAsStored() throws {
    let files = try Files()
    let folder = files.folder
    var results: [String: Checkpoint] = [:]
    for (name, data, stream) in [
      ("csv", files.csv, false), ("wide", files.wide, false), ("streamed", files.wide, true),
      ("narrow", files.narrow, false),
    ] {
      let run = try TrainingRun(Self.options(data, folder: folder, name: "\(name).h5", stream: stream))
      try run.run()
      results[name] = run.session.checkpoint()
    }
    let csv = try #require(results["csv"]).model
    #expect(csv.dtype == .float64)
    // The standardize layer's statistics are the data's, in Float64.
    let mean = csv.float64Parameters![ParameterKey(layer: "standardize", name: "mean")]!.scalars
    #expect(mean.contains { Double(Float($0)) != $0 })
    // CSV, float64 HDF5 in memory and streamed: the same numbers, the same run, bit for bit.
    for name in ["wide", "streamed"] {
      #expect(results[name]!.model.float64Parameters == csv.float64Parameters, "\(name)")
      let losses = { (run: Checkpoint) in run.progress.history.map { [$0.trainLoss, $0.validationLoss ?? .nan] } }
      #expect(losses(results[name]!) == losses(results["csv"]!), "\(name)")
    }
    // The same data rounded to Float32 makes another run.
    #expect(results["narrow"]!.model.float64Parameters != csv.float64Parameters)
  }

  @Test func aFloat64DatasetTrainsAFloat32ModelOnItsFloat32Values() throws {
    let files = try Files()
    let wide = try Dataset.readCSV(path: files.csv, targetColumns: ["label"], dtype: .float64)
    let narrow = try Dataset.readCSV(path: files.csv, targetColumns: ["label"])
    var random = Xoshiro256StarStar(seed: 2)
    let model = try Model(
      initializing: try NetworkDescription(layerSpecification: "3,4:tanh,3:softmax"), random: &random)
    let configuration = TrainingConfiguration(
      loss: .categoricalCrossEntropy, batchSize: 8, epochs: 1, seed: 1, shuffle: false)
    func trained(_ data: Dataset) throws -> Model {
      let session = try TrainingSession(
        checkpoint: Checkpoint(
          model: model, optimizer: OptimizerState(configuration: OptimizerConfiguration(kind: .adam)),
          configuration: configuration, progress: TrainingProgress(random: random.state)),
        training: data, validation: nil)
      while !session.isComplete { try session.step() }
      return session.model
    }
    #expect(try trained(wide) == trained(narrow))
  }

  @Test func valuesBeyondFloat32sRangeAreFiniteInAFloat64Run() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64-data")
    let path = folder.path("large.csv")
    try "a,b,label\n1e39,-2e300,0\n1,2,1\n".write(toFile: path, atomically: true, encoding: .utf8)
    let wide = try Dataset.readCSV(path: path, targetColumns: ["label"], dtype: .float64)
    #expect(wide.float64Inputs?.scalars == [1e39, -2e300, 1, 2])
    try wide.requireFinite(source: path)
    expectReason(DataError.self) { try Dataset.readCSV(path: path, targetColumns: ["label"]) }
    // A label is judged by its exact value.
    let labels = folder.path("labels.csv")
    try "a,label\n1,1.0000000001\n".write(toFile: labels, atomically: true, encoding: .utf8)
    let almost = try Dataset.readCSV(path: labels, targetColumns: ["label"], dtype: .float64)
    expectReason(
      DataError.labelOutOfRangeAt(source: labels, line: 2, column: "'label' (2)", value: 1.0000000001, classCount: 2)
    ) {
      try almost.classLabels(classCount: 2)
    }
    #expect(try Dataset.readCSV(path: labels, targetColumns: ["label"]).classLabels(classCount: 2) == [1])
  }

  @Test func aFloat64ModelsWeightsAreCheckedInFloat64() throws {
    let folder = try TemporaryDirectory(prefix: "bpkit-float64-data")
    var random = Xoshiro256StarStar(seed: 2)
    let narrow = try Model(
      initializing: try NetworkDescription(layerSpecification: "2,1:linear"), random: &random)
    var model = narrow.converted(to: .float64)
    let key = ParameterKey(layer: "dense_1", name: "kernel")
    try model.setParameter(Tensor<Double>(shape: [2, 1], scalars: [1e39, -1e300]), for: key)
    let url = URL(fileURLWithPath: folder.path("large.h5"))
    try model.write(to: url)
    let back = try Model(contentsOf: url)
    #expect(back.float64Parameters?[key]?.scalars == [1e39, -1e300])
    #expect(back.parameters[key]?.scalars == [.infinity, -.infinity])
  }
}
