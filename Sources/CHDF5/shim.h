// The parts of libhdf5's C API that Swift cannot import directly.
//
// HDF5 exposes its predefined types and property-list classes as macros that
// expand to global ids initialised by H5open(), and several of its functions
// are renamed by macros depending on the library version. Swift imports
// neither, so each is wrapped here in a prefixed `static inline` function.
#ifndef BPKIT_CHDF5_SHIM_H
#define BPKIT_CHDF5_SHIM_H

#include <hdf5.h>
#include <H5PLpublic.h>
#include <stdint.h>
#include <string.h>

// MARK: - Constants

static inline hid_t bpk_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t bpk_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t bpk_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline unsigned bpk_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned bpk_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned bpk_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned bpk_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline size_t bpk_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hsize_t bpk_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }

static inline hid_t bpk_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t bpk_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t bpk_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t bpk_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t bpk_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hsize_t bpk_H5F_UNLIMITED(void) { return H5F_UNLIMITED; }

static inline hid_t bpk_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t bpk_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t bpk_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t bpk_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t bpk_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t bpk_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t bpk_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t bpk_H5T_C_S1(void) { return H5T_C_S1; }

// Little-endian file types: bpkit writes these so that files are identical
// on every machine.
static inline hid_t bpk_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t bpk_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t bpk_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t bpk_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t bpk_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t bpk_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t bpk_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }

// MARK: - Error stack

/// Turns off libhdf5's automatic printing of errors for the calling thread.
///
/// In thread-safe builds every thread has its own error stack with its own
/// automatic-printing setting, so this must run once per thread that calls
/// into libhdf5. A thread-local flag makes the repeat calls free.
static inline void bpk_h5_silence_this_thread(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

// MARK: - Version-dependent calls

/// The type of the object a link points to (group, dataset, named type), or
/// H5O_TYPE_UNKNOWN with a negative return on failure.
static inline herr_t bpk_h5_object_type(hid_t loc, const char *name, H5O_type_t *type) {
    *type = H5O_TYPE_UNKNOWN;
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    herr_t status = H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
#elif H5_VERSION_GE(1, 10, 3)
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
#else
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT);
#endif
    if (status >= 0) *type = info.type;
    return status;
}

/// The kind of a link: hard, soft or external (H5L_TYPE_ERROR on failure).
static inline H5L_type_t bpk_h5_link_type(hid_t loc, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    H5L_info2_t info;
    if (H5Lget_info2(loc, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#else
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#endif
    return info.type;
}

/// Frees the memory libhdf5 allocated for variable-length data it read.
static inline herr_t bpk_h5_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

// MARK: - Walking groups

/// Called with each link name of a group; return 0 to go on, 1 to stop.
typedef int (*bpk_h5_name_visitor)(const char *name, void *context);

struct bpk_h5_visit { bpk_h5_name_visitor visitor; void *context; };

#if H5_VERSION_GE(1, 12, 0)
static herr_t bpk_h5_visit_link(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static herr_t bpk_h5_visit_link(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
    (void)group; (void)info;
    struct bpk_h5_visit *visit = (struct bpk_h5_visit *)data;
    return visit->visitor(name, visit->context);
}

/// Calls `visitor` with the name of every link in `group`, in name order, in
/// one pass: asking for names by index costs a walk of the group per name
/// in groups stored as symbol tables, which makes listing quadratic.
static inline herr_t bpk_h5_link_names(hid_t group, bpk_h5_name_visitor visitor, void *context) {
    struct bpk_h5_visit visit = { visitor, context };
    hsize_t index = 0;
#if H5_VERSION_GE(1, 12, 0)
    return H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, &index, bpk_h5_visit_link, &visit);
#else
    return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, bpk_h5_visit_link, &visit);
#endif
}

/// The file number and address that identify the object a link points to:
/// two links name the same object exactly when both agree.
static inline herr_t bpk_h5_object_identity(hid_t loc, const char *name, unsigned long *file, uint64_t *address) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    herr_t status = H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (status < 0) return status;
    *file = info.fileno;
    uint64_t value = 0;
    memcpy(&value, &info.token, sizeof value);
    *address = value;
#elif H5_VERSION_GE(1, 10, 3)
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (status < 0) return status;
    *file = info.fileno;
    *address = (uint64_t)info.addr;
#else
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT);
    if (status < 0) return status;
    *file = info.fileno;
    *address = (uint64_t)info.addr;
#endif
    return 0;
}

#endif
