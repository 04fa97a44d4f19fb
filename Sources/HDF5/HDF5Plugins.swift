internal import CHDF5

/// libhdf5's dynamically loaded filter plugins.
///
/// A file can name a filter that libhdf5 then looks for as a shared library
/// in `HDF5_PLUGIN_PATH` and loads into the process: a file from elsewhere can
/// make a reader run code it did not choose. Programs that read untrusted
/// files turn loading off.
public enum HDF5Plugins {
  /// Whether libhdf5 may load filter plugins.
  ///
  /// The corresponding HDF5 functions are `H5PLget_loading_state` and `H5PLset_loading_state`.
  public static func isLoadingEnabled() throws(HDF5Error) -> Bool {
    var state: UInt32 = 0
    try HDF5Library.call("read the plugin loading state", at: .init(file: "")) { H5PLget_loading_state(&state) }
    return state != 0
  }

  /// Allows or forbids loading filter plugins, for the whole process.
  public static func setLoadingEnabled(_ enabled: Bool) throws(HDF5Error) {
    // H5PL_ALL_PLUGIN enables every plugin type; 0 disables them all.
    let state: UInt32 = enabled ? 0xFFFF : 0
    try HDF5Library.call("set the plugin loading state", at: .init(file: "")) { H5PLset_loading_state(state) }
  }
}
