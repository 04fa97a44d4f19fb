/// The version of bpkit, written into every file bpkit saves.
public enum BPKitVersion {
  /// The release, as semantic version text.
  public static let current = "0.1.0"
}
