// The HDF5 probe's walk: see CHDF5Probe.h, and HDF5Probe in BPKit for why
// it runs in a child process. It exercises what bpkit's readers ask of
// libhdf5 (listing groups, inspecting links and objects, reading attributes
// and small datasets), so a file that crashes or hangs libhdf5 does so here.
#include "CHDF5Probe.h"
#include "attribute_messages.h"

#include <hdf5.h>
#include <H5PLpublic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

// MARK: - Version-dependent calls (libhdf5 1.10 and 1.12+)

#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info2_t probe_object_info;
#define probe_object_info_by_name(loc, name, info) H5Oget_info_by_name3(loc, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#define probe_object_address(info) probe_token_bits(&(info).token)
static uint64_t probe_token_bits(const H5O_token_t *token) {
    uint64_t value = 0;
    memcpy(&value, token, sizeof value);
    return value;
}
#else
typedef H5O_info_t probe_object_info;
#define probe_object_info_by_name(loc, name, info) H5Oget_info_by_name2(loc, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#define probe_object_address(info) ((uint64_t)(info).addr)
#endif

static H5L_type_t probe_link_type(hid_t group, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    H5L_info2_t info;
    if (H5Lget_info2(group, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#else
    H5L_info_t info;
    if (H5Lget_info(group, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#endif
    return info.type;
}

static herr_t probe_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

// MARK: - Growing lists

/// Link names of one group, collected in one pass (H5Literate, name order).
struct names { char **items; size_t count, capacity; };

static int names_append(struct names *names, const char *name) {
    if (names->count == names->capacity) {
        size_t capacity = names->capacity ? names->capacity * 2 : 16;
        char **items = realloc(names->items, capacity * sizeof *items);
        if (!items) return -1;
        names->items = items;
        names->capacity = capacity;
    }
    char *copy = strdup(name);
    if (!copy) return -1;
    names->items[names->count++] = copy;
    return 0;
}

static void names_free(struct names *names) {
    for (size_t index = 0; index < names->count; index++) free(names->items[index]);
    free(names->items);
}

#if H5_VERSION_GE(1, 12, 0)
static herr_t collect_name(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static herr_t collect_name(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
    (void)group; (void)info;
    return names_append(data, name) == 0 ? 0 : -1;
}

/// Groups still to visit.
struct groups { hid_t *items; size_t count, capacity; };

static int groups_push(struct groups *groups, hid_t group) {
    if (groups->count == groups->capacity) {
        size_t capacity = groups->capacity ? groups->capacity * 2 : 16;
        hid_t *items = realloc(groups->items, capacity * sizeof *items);
        if (!items) return -1;
        groups->items = items;
        groups->capacity = capacity;
    }
    groups->items[groups->count++] = group;
    return 0;
}

/// The objects already visited, by file number and address: a set with open
/// addressing, so that a file of many groups is walked in linear time.
struct identity { uint64_t file, address; int used; };
struct seen { struct identity *slots; size_t count, capacity; };

static size_t seen_slot(uint64_t file, uint64_t address, size_t capacity) {
    return (size_t)((address ^ file * 0x9E3779B97F4A7C15ULL) * 0xFF51AFD7ED558CCDULL >> 17) & (capacity - 1);
}

/// Inserts an identity: 1 when it was new, 0 when seen before, -1 when out of memory.
static int seen_insert(struct seen *seen, uint64_t file, uint64_t address) {
    if (2 * (seen->count + 1) > seen->capacity) {
        size_t capacity = seen->capacity ? seen->capacity * 2 : 64;
        struct identity *slots = calloc(capacity, sizeof *slots);
        if (!slots) return -1;
        for (size_t index = 0; index < seen->capacity; index++) {
            struct identity old = seen->slots[index];
            if (!old.used) continue;
            size_t slot = seen_slot(old.file, old.address, capacity);
            while (slots[slot].used) slot = (slot + 1) & (capacity - 1);
            slots[slot] = old;
        }
        free(seen->slots);
        seen->slots = slots;
        seen->capacity = capacity;
    }
    size_t slot = seen_slot(file, address, seen->capacity);
    while (seen->slots[slot].used) {
        if (seen->slots[slot].file == file && seen->slots[slot].address == address) return 0;
        slot = (slot + 1) & (seen->capacity - 1);
    }
    seen->slots[slot] = (struct identity){ file, address, 1 };
    seen->count++;
    return 1;
}

// MARK: - Reading

/// The size of the native type bpkit reads a stored number type as (float32,
/// float64, int32, int64, uint8, uint32, uint64), or 0 for any other type;
/// `native` is set to that native type.
static size_t readable_number(hid_t type, hid_t *native) {
    size_t size = H5Tget_size(type);
    switch (H5Tget_class(type)) {
    case H5T_FLOAT:
        if (size == 4) { *native = H5T_NATIVE_FLOAT; return 4; }
        if (size == 8) { *native = H5T_NATIVE_DOUBLE; return 8; }
        return 0;
    case H5T_INTEGER: {
        int is_signed = H5Tget_sign(type) == H5T_SGN_2;
        if (is_signed && size == 4) { *native = H5T_NATIVE_INT32; return 4; }
        if (is_signed && size == 8) { *native = H5T_NATIVE_INT64; return 8; }
        if (!is_signed && size == 1) { *native = H5T_NATIVE_UINT8; return 1; }
        if (!is_signed && size == 4) { *native = H5T_NATIVE_UINT32; return 4; }
        if (!is_signed && size == 8) { *native = H5T_NATIVE_UINT64; return 8; }
        return 0;
    }
    default:
        return 0;
    }
}

/// Reads `count` strings of `file_type` (variable or fixed length) through
/// `read_into`, as bpkit's string readers do. Returns a negative value on failure.
static int read_strings(hid_t file_type, hid_t space, hssize_t count, hid_t object,
                        herr_t (*read_into)(hid_t object, hid_t memory_type, void *buffer)) {
    if (count < 0) return -1;
    htri_t variable = H5Tis_variable_str(file_type);
    if (variable < 0) return -1;
    hid_t memory_type = H5Tcopy(file_type);
    if (memory_type < 0) return -1;
    int status = -1;
    if (variable) {
        char **pointers = calloc(count ? (size_t)count : 1, sizeof *pointers);
        if (pointers && read_into(object, memory_type, pointers) >= 0) {
            probe_reclaim(memory_type, space, pointers);
            status = 0;
        }
        free(pointers);
    } else {
        size_t width = H5Tget_size(memory_type), bytes;
        if (!__builtin_mul_overflow(width, (size_t)count, &bytes)) {
            void *buffer = calloc(bytes ? bytes : 1, 1);
            if (buffer && read_into(object, memory_type, buffer) >= 0) status = 0;
            free(buffer);
        }
    }
    H5Tclose(memory_type);
    return status;
}

static herr_t read_attribute(hid_t attribute, hid_t memory_type, void *buffer) {
    return H5Aread(attribute, memory_type, buffer);
}

/// The transfer property list of string reads, as bpkit's (HDF5Library.stringTransfer):
/// a 64 KiB conversion buffer instead of libhdf5's default, zeroed, 1 MiB ones.
static hid_t string_transfer = H5P_DEFAULT;

static herr_t read_dataset(hid_t dataset, hid_t memory_type, void *buffer) {
    return H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, string_transfer, buffer);
}

/// Reads one attribute if it holds strings or numbers bpkit reads.
static int read_one_attribute(hid_t object, const char *name) {
    if (H5Aexists(object, name) <= 0) return -1;
    hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
    if (attribute < 0) return -1;
    int status = -1;
    hid_t type = H5Aget_type(attribute);
    hid_t space = type < 0 ? -1 : H5Aget_space(attribute);
    hssize_t count = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (count >= 0) {
        hid_t native;
        size_t size;
        if (H5Tget_class(type) == H5T_STRING) {
            status = read_strings(type, space, count, attribute, read_attribute);
        } else if ((size = readable_number(type, &native)) > 0) {
            size_t bytes;
            if (!__builtin_mul_overflow(size, (size_t)count, &bytes)) {
                void *buffer = malloc(bytes ? bytes : 1);
                if (buffer && (count == 0 || H5Aread(attribute, native, buffer) >= 0)) status = 0;
                free(buffer);
            }
        } else {
            status = 0;  // compound, enum, reference...: bpkit never reads these
        }
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Aclose(attribute);
    return status;
}

/// The file's raw bytes, for the checks libhdf5 does not make.
static struct bpk_file_bytes file_bytes = { NULL, 0, -1, 0, 8, 8 };

/// Set when an attribute message does not hold its parts: the walk ends, and
/// the probe exits BPK_PROBE_DAMAGED_ATTRIBUTE.
static int damaged_attribute = 0;

/// Checks the attribute messages of `object`'s header on the file's bytes,
/// before libhdf5 decodes any of them (bpk_check_attribute_messages).
static int check_attribute_messages(hid_t object) {
    probe_object_info info;
    if (probe_object_info_by_name(object, ".", &info) < 0) return -1;
    int status = bpk_check_attribute_messages(&file_bytes, probe_object_address(info));
    if (status > 0) damaged_attribute = 1;
    return status == 0 ? 0 : -1;
}

/// Reads every attribute of a type the readers take, once their messages
/// are checked. One that libhdf5 cannot read within the probe's limits (a
/// string whose stored length is damaged makes it allocate and clear
/// gigabytes) makes the walk fail. As bpkit's readers do, all the names are
/// listed first, then each is read.
static int read_attributes(hid_t object) {
    if (check_attribute_messages(object) < 0) return -1;
    int count = H5Aget_num_attrs(object);
    if (count < 0) return -1;
    struct names names = { 0 };
    int status = 0;
    for (int index = 0; status == 0 && index < count; index++) {
        ssize_t length = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)index, NULL, 0, H5P_DEFAULT);
        char *name = length < 0 ? NULL : calloc((size_t)length + 1, 1);
        if (!name || H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)index, name,
                                        (size_t)length + 1, H5P_DEFAULT) < 0 || names_append(&names, name) < 0) {
            status = -1;
        }
        free(name);
    }
    for (size_t index = 0; status == 0 && index < names.count; index++) {
        status = read_one_attribute(object, names.items[index]);
    }
    names_free(&names);
    return status;
}

/// Inspects how a dataset is stored (layout, filters, external files, size)
/// and reads it whole when it is small and in this file. Errors reading the
/// data itself are ignored: the readers report those cleanly.
static int read_dataset_whole(hid_t dataset) {
    hid_t space = H5Dget_space(dataset);
    if (space < 0) return -1;
    hid_t type = H5Dget_type(dataset);
    if (type < 0) { H5Sclose(space); return -1; }
    int status = -1;
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK];
    if (rank < 0 || (rank > 0 && H5Sget_simple_extent_dims(space, dims, NULL) < 0)) goto done;
    if (read_attributes(dataset) < 0) goto done;

    hid_t list = H5Dget_create_plist(dataset);
    if (list < 0) goto done;
    H5D_layout_t layout = H5Pget_layout(list);
    int filters = layout >= H5D_COMPACT && layout <= H5D_VIRTUAL ? H5Pget_nfilters(list) : -1;
    for (int index = 0; index < filters; index++) {
        unsigned flags = 0, config = 0;
        size_t values = 0;
        char name[257];
        if (H5Pget_filter2(list, (unsigned)index, &flags, &values, NULL, sizeof name - 1, name, &config) < 0) filters = -1;
    }
    int external = filters < 0 ? -1 : H5Pget_external_count(list);
    H5Pclose(list);
    if (external < 0) goto done;
    (void)H5Dget_storage_size(dataset);
    if (layout == H5D_CONTIGUOUS) (void)H5Dget_offset(dataset);
    status = 0;
    // Never reach into other files.
    if (layout == H5D_VIRTUAL || external > 0) goto done;

    hid_t native = -1;
    size_t size = readable_number(type, &native);
    int is_string = H5Tget_class(type) == H5T_STRING;
    uint64_t bytes = size ? size : 8, count = 1;
    for (int axis = 0; axis < rank; axis++) {
        if (__builtin_mul_overflow(bytes, dims[axis], &bytes) || __builtin_mul_overflow(count, dims[axis], &count)) goto done;
    }
    if (bytes > (uint64_t)BPK_PROBE_READ_LIMIT) goto done;
    if (size) {
        void *buffer = malloc(bytes ? bytes : 1);
        if (buffer && count > 0) (void)H5Dread(dataset, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        free(buffer);
    } else if (is_string) {
        (void)read_strings(type, space, (hssize_t)count, dataset, read_dataset);
    }
done:
    H5Tclose(type);
    H5Sclose(space);
    H5Eclear2(H5E_DEFAULT);
    return status;
}

// MARK: - The walk

/// Visits every group and dataset once, however many links name it, without recursion.
static int walk(hid_t file) {
    struct groups pending = { 0 };
    struct seen seen = { 0 };
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    int status = root < 0 ? -1 : read_attributes(root);
    if (root >= 0 && groups_push(&pending, root) < 0) {
        H5Gclose(root);
        status = -1;
    }
    while (status == 0 && pending.count > 0) {
        hid_t group = pending.items[--pending.count];
        struct names names = { 0 };
        hsize_t position = 0;
#if H5_VERSION_GE(1, 12, 0)
        if (H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, &position, collect_name, &names) < 0) status = -1;
#else
        if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &position, collect_name, &names) < 0) status = -1;
#endif
        for (size_t index = 0; status == 0 && index < names.count; index++) {
            const char *name = names.items[index];
            if (H5Lexists(group, name, H5P_DEFAULT) <= 0) { status = -1; break; }
            H5L_type_t link = probe_link_type(group, name);
            if (link == H5L_TYPE_SOFT || link == H5L_TYPE_EXTERNAL) continue;
            if (link != H5L_TYPE_HARD) { status = -1; break; }
            probe_object_info info;
            if (probe_object_info_by_name(group, name, &info) < 0) { status = -1; break; }
            if (info.type != H5O_TYPE_GROUP && info.type != H5O_TYPE_DATASET) continue;
            int fresh = seen_insert(&seen, (uint64_t)info.fileno, probe_object_address(info));
            if (fresh < 0) { status = -1; break; }
            if (fresh == 0) continue;
            if (info.type == H5O_TYPE_GROUP) {
                hid_t child = H5Gopen2(group, name, H5P_DEFAULT);
                if (child < 0 || read_attributes(child) < 0 || groups_push(&pending, child) < 0) {
                    if (child >= 0) H5Gclose(child);
                    status = -1;
                }
            } else {
                hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
                if (dataset < 0 || read_dataset_whole(dataset) < 0) status = -1;
                if (dataset >= 0) H5Dclose(dataset);
            }
        }
        names_free(&names);
        H5Gclose(group);
    }
    while (pending.count > 0) H5Gclose(pending.items[--pending.count]);
    free(pending.items);
    free(seen.slots);
    return status;
}

static void limit(int resource, rlim_t value) {
    struct rlimit limit = { value, value };
    (void)setrlimit(resource, &limit);
}

/// Reads standard input to its end; NULL when it is empty or unreadable.
static void *read_standard_input(size_t *size) {
    size_t capacity = 1 << 20, count = 0;
    unsigned char *bytes = malloc(capacity);
    while (bytes) {
        if (count == capacity) {
            unsigned char *grown = realloc(bytes, capacity *= 2);
            if (!grown) break;
            bytes = grown;
        }
        ssize_t got = read(0, bytes + count, capacity - count);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        if (got == 0) {
            if (count == 0) break;
            *size = count;
            return bytes;
        }
        count += (size_t)got;
    }
    free(bytes);
    return NULL;
}

/// Whether HDF5's signature is where libhdf5 looks for it: at 0, 512, 1024, 2048...
static int has_signature(const unsigned char *bytes, size_t size) {
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    for (size_t offset = 0; offset + 8 <= size; offset = offset ? offset * 2 : 512) {
        if (memcmp(bytes + offset, signature, 8) == 0) return 1;
    }
    return 0;
}

/// Opens the HDF5 file image given as standard input, in memory (the core driver).
static hid_t open_image_on_standard_input(void **image) {
    size_t size = 0;
    *image = read_standard_input(&size);
    if (!*image || !has_signature(*image, size)) return -1;
    file_bytes.image = *image;
    file_bytes.size = size;
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (access < 0) return -1;
    hid_t file = -1;
    if (H5Pset_fapl_core(access, 1 << 16, 0) >= 0 && H5Pset_file_image(access, *image, size) >= 0) {
        file = H5Fopen("bpkit-probe file image", H5F_ACC_RDONLY, access);
    }
    H5Pclose(access);
    return file;
}

/// Where the file's addresses count from, and how wide they are.
static int describe_file(hid_t file) {
    hid_t creation = H5Fget_create_plist(file);
    if (creation < 0) return -1;
    hsize_t user_block = 0;
    size_t address_size = 0, length_size = 0;
    int status = H5Pget_userblock(creation, &user_block) < 0 || H5Pget_sizes(creation, &address_size, &length_size) < 0 ? -1 : 0;
    H5Pclose(creation);
    file_bytes.base = user_block;
    file_bytes.address_size = (unsigned)address_size;
    file_bytes.length_size = (unsigned)length_size;
    return status;
}

/// A descriptor of the very file libhdf5 opened: a copy of its own (the
/// default sec2 driver's), so that a file renamed over `path` meanwhile (a
/// checkpoint replaced while it is read) is never checked in its place.
/// Opens `path` again only when the driver gives no descriptor.
static int descriptor_of(hid_t file, const char *path) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle) {
        int copy = fcntl(*(int *)handle, F_DUPFD_CLOEXEC, 0);
        if (copy >= 0) return copy;
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

int bpk_probe_run(const char *path) {
    // A loop inside libhdf5 ends with SIGXCPU, a runaway allocation fails.
    limit(RLIMIT_CPU, BPK_PROBE_CPU_SECONDS);
    limit(RLIMIT_AS, (rlim_t)BPK_PROBE_MEMORY_BYTES);
    limit(RLIMIT_CORE, 0);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5PLset_loading_state(0) < 0) return 1;
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    if (transfer >= 0 && H5Pset_buffer(transfer, 64 << 10, NULL, NULL) >= 0) string_transfer = transfer;
    // A path of "-" alone: the parent holds the file in memory and sends it as standard input.
    void *image = NULL;
    hid_t file = strcmp(path, "-") == 0 ? open_image_on_standard_input(&image) : H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file >= 0 && !image) file_bytes.descriptor = descriptor_of(file, path);
    int status = file < 0 ? -1 : describe_file(file);
    if (status == 0) status = walk(file);
    if (file >= 0 && H5Fclose(file) < 0) status = -1;
    if (file_bytes.descriptor >= 0) close(file_bytes.descriptor);
    free(image);
    return damaged_attribute ? BPK_PROBE_DAMAGED_ATTRIBUTE : status < 0 ? 1 : 0;
}
