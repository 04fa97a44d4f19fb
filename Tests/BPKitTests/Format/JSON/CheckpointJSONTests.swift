import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct CheckpointJSONTests {
  @Test(arguments: OptimizerKind.allCases, BPKitJSON.WeightEncoding.allCases)
  func roundTripsEveryField(kind: OptimizerKind, encoding: BPKitJSON.WeightEncoding) throws {
    let checkpoint = SampleModels.checkpoint(for: SampleModels.model(SampleModels.all[3].1), optimizer: kind)
    let data = try checkpoint.jsonData(weights: encoding)
    JSONOutputs.keep(data, kind: "checkpoint", name: "checkpoint_\(kind)_\(encoding).json")
    let decoded = try Checkpoint(jsonData: data)
    #expect(decoded.model == checkpoint.model)
    #expect(decoded.optimizer == checkpoint.optimizer)
    #expect(decoded.configuration == checkpoint.configuration)
    #expect(decoded.progress.history.count == 2)
    // A NaN metric means "not measured", in JSON as in HDF5.
    #expect(decoded.progress.history[0].validationLoss == nil)
    #expect(decoded.data == checkpoint.data)
    #expect(decoded.validationData == checkpoint.validationData)
    #expect(decoded.createdAt == checkpoint.createdAt)
    #expect(decoded.bpkitVersion == checkpoint.bpkitVersion)
    var expected = checkpoint.progress
    expected.history[0].validationLoss = nil
    #expect(decoded.progress == expected)
  }

  @Test func readsAMinimalCheckpointWithDefaults() throws {
    let model = SampleModels.model(SampleModels.dense([.tanh]))
    var document = try JSONSerialization.jsonObject(with: model.jsonData()) as! [String: Any]
    let body = ["input": document["input"]!, "layers": document["layers"]!, "weights": document["weights"]!]
    document = [
      "kind": "bpkit-checkpoint", "format_version": 1, "bpkit_version": "0.1.0", "created_at": "2026-01-31T12:00:00Z",
      "model": body, "optimizer": ["configuration": ["kind": "momentum"]], "training": ["loss": "mse"],
      "progress": ["random": ["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004"]],
    ]
    let data = try JSONSerialization.data(withJSONObject: document)
    JSONOutputs.keep(data, kind: "checkpoint", name: "checkpoint_minimal.json")
    let checkpoint = try Checkpoint(jsonData: data)
    #expect(checkpoint.optimizer.configuration == OptimizerConfiguration(kind: .momentum))
    #expect(checkpoint.configuration == TrainingConfiguration(loss: .meanSquaredError))
    #expect(checkpoint.progress == TrainingProgress(random: RandomState(words: [1, 2, 3, 4])))
    #expect(checkpoint.data == nil)
  }

  @Test func reportsViolationsInsideTheTrainingState() throws {
    let checkpoint = SampleModels.checkpoint(for: SampleModels.model(SampleModels.dense([.tanh])))
    let original = try JSONSerialization.jsonObject(with: checkpoint.jsonData()) as! [String: Any]
    let cases: [(String, (inout [String: Any]) -> Void, String, String)] = [
      (
        "slot shape",
        { document in
          var optimizer = document["optimizer"] as! [String: Any]
          var slots = optimizer["slots"] as! [String: [String: [String: [String: Any]]]]
          slots["momentum"]!["dense_0"]!["bias"]!["shape"] = [5]
          optimizer["slots"] = slots
          document["optimizer"] = optimizer
        }, "$.optimizer.slots.momentum.dense_0.bias.shape", "expected [4], the shape the network description declares"
      ),
      (
        "slot for non-trainable",
        { document in
          var optimizer = document["optimizer"] as! [String: Any]
          var slots = optimizer["slots"] as! [String: [String: Any]]
          slots["momentum"]!["scale"] = ["mean": ["dtype": "float32", "shape": [3], "data": [1, 2, 3]]]
          optimizer["slots"] = slots
          document["optimizer"] = optimizer
        }, "$.optimizer.slots.momentum.scale", "no layer named 'scale' has trainable weight in the network description"
      ),
      (
        "unknown optimizer",
        { document in
          document["optimizer"] = ["configuration": ["kind": "adadelta"]]
        }, "$.optimizer.configuration.kind",
        "expected one of sgd, momentum, nesterov, adam, adamw, nadam, adagrad, rmsprop, rprop, found 'adadelta'"
      ),
      (
        "random word",
        { document in
          var progress = document["progress"] as! [String: Any]
          progress["random"] = ["+000000000000001"]
          document["progress"] = progress
        }, "$.progress.random[0]", "expected 16 lowercase hexadecimal digits"
      ),
      (
        "cursor past order",
        { document in
          var progress = document["progress"] as! [String: Any]
          progress["cursor"] = 9
          document["progress"] = progress
        }, "$.progress.cursor", "expected at most 5, the length of order"
      ),
      (
        "bad date", { document in document["created_at"] = "yesterday" },
        "$.created_at", "expected an RFC 3339 date-time such as 2026-01-31T12:00:00.5Z"
      ),
      (
        "history epoch",
        { document in
          var progress = document["progress"] as! [String: Any]
          var history = progress["history"] as! [[String: Any]]
          history[1]["epoch"] = 0
          progress["history"] = history
          document["progress"] = progress
        }, "$.progress.history[1].epoch", "expected an integer >= 1, found 0"
      ),
      (
        "validation split",
        { document in
          var training = document["training"] as! [String: Any]
          training["validation_split"] = 1
          document["training"] = training
        }, "$.training.validation_split", "expected a number from 0 to below 1, found 1.0"
      ),
    ]
    for (name, mutate, path, detail) in cases {
      var document = original
      mutate(&document)
      let data = try JSONSerialization.data(withJSONObject: document)
      expectReason(BPKitJSONError.schemaViolation(file: nil, path: path, detail: detail), "\(name)") {
        try Checkpoint(jsonData: data)
      }
      if !["slot shape", "slot for non-trainable", "cursor past order", "bad date"].contains(name) {
        JSONOutputs.keep(
          data, kind: "invalid-checkpoint", name: name.replacingOccurrences(of: " ", with: "_") + ".json")
      }
    }
  }
}
