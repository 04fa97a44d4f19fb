// Attribute messages checked on the file's bytes, before libhdf5 decodes
// them (attribute_messages.h). The layouts are those of the HDF5 File Format
// Specification, version 3: "Version 1 Object Header", "Version 2 Object
// Header", "Header Message Continuation", "Attribute Message", "Dataspace
// Message" and "Datatype Message" (section IV.A).
#include "attribute_messages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    message_continuation = 0x10,
    message_attribute = 0x0C,
    /// A message flag: the message is stored in a shared message heap, not here.
    message_shared = 0x02,
    /// Attribute flags (version 2 and later): the datatype, or the dataspace, is shared.
    attribute_type_shared = 0x01,
    attribute_space_shared = 0x02,
    /// libhdf5's H5S_MAX_RANK.
    max_rank = 32,
};

/// The most chunks of one object header, and the largest chunk, the check
/// reads: far beyond what libhdf5 writes, and within the probe's memory.
/// Continuations that lead in a circle end at the first limit.
static const size_t max_chunks = 1 << 16;
static const uint64_t max_chunk_bytes = 1ULL << 30;

// MARK: - Bytes

static int read_at(const struct bpk_file_bytes *bytes, uint64_t address, void *out, size_t count) {
    uint64_t start;
    if (__builtin_add_overflow(address, bytes->base, &start)) return 1;
    if (bytes->image) {
        if (start > bytes->size || count > bytes->size - start) return 1;
        memcpy(out, bytes->image + start, count);
        return 0;
    }
    if (bytes->descriptor < 0) return -1;
    size_t done = 0;
    while (done < count) {
        ssize_t got = pread(bytes->descriptor, (unsigned char *)out + done, count - done, (off_t)(start + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        if (got == 0) return 1;  // past the end of the file
        done += (size_t)got;
    }
    return 0;
}

/// A little-endian unsigned number of `size` bytes (1 to 8).
static uint64_t decode(const unsigned char *p, unsigned size) {
    uint64_t value = 0;
    for (unsigned index = size; index > 0; index--) value = value << 8 | p[index - 1];
    return value;
}

static size_t aligned8(size_t size) { return (size + 7) & ~(size_t)7; }

// MARK: - One attribute message

/// 0 when the attribute message `m` of `size` bytes holds its parts
/// (including its data, when its datatype and dataspace are stored in it), 1
/// when it does not.
static int check_attribute(const unsigned char *m, size_t size, unsigned length_size) {
    if (size < 8) return 1;
    unsigned version = m[0], flags = version >= 2 ? m[1] : 0;
    if (version < 1 || version > 3) return 1;
    size_t name = decode(m + 2, 2), type = decode(m + 4, 2), space = decode(m + 6, 2);
    size_t offset = version >= 3 ? 9 : 8;
    // The name: null-terminated at its declared length, and nowhere before (libhdf5 copies it with strdup).
    if (name == 0 || offset + name > size || memchr(m + offset, 0, name) != m + offset + name - 1) return 1;
    // Version 1 aligns each part on 8 bytes.
    size_t type_at = offset + (version == 1 ? aligned8(name) : name);
    if (type_at > size || type > size - type_at) return 1;
    size_t space_at = type_at + (version == 1 ? aligned8(type) : type);
    if (space_at > size || space > size - space_at) return 1;
    size_t data_at = space_at + (version == 1 ? aligned8(space) : space);
    if (data_at > size) return 1;
    if (flags & (attribute_type_shared | attribute_space_shared)) return 0;

    // The data: the datatype's size (bytes 4-7 of a datatype message) for each point of the dataspace.
    if (type < 8) return 1;
    const unsigned char *t = m + type_at, *s = m + space_at;
    uint64_t element = decode(t + 4, 4);
    if (space < 2) return 1;
    unsigned space_version = s[0], rank = s[1];
    if (space_version < 1 || space_version > 2 || rank > max_rank) return 1;
    size_t dims_at = space_version == 1 ? 8 : 4;
    if (dims_at > space || (size_t)rank * length_size > space - dims_at) return 1;
    uint64_t points = 1;
    // Version 2 names its kind (0 scalar, 1 simple, 2 null); version 1 is simple with a rank, scalar without.
    if (space_version == 2 && s[3] == 2) points = 0;
    for (unsigned axis = 0; axis < rank && points > 0; axis++) {
        if (__builtin_mul_overflow(points, decode(s + dims_at + (size_t)axis * length_size, length_size), &points))
            return 1;
    }
    uint64_t data;
    if (__builtin_mul_overflow(points, element, &data)) return 1;
    return data > size - data_at;
}

// MARK: - The object header

/// A chunk of an object header still to check: where its messages are.
struct chunk { uint64_t address, size; };

/// The chunks of one object header, in the order they are found.
struct chunks { struct chunk *items; size_t count, capacity; };

/// 0 when `chunk` was added, 1 when the header has too many chunks, -1 when out of memory.
static int chunks_append(struct chunks *chunks, struct chunk chunk) {
    if (chunks->count == max_chunks) return 1;
    if (chunks->count == chunks->capacity) {
        size_t capacity = chunks->capacity ? chunks->capacity * 2 : 8;
        struct chunk *items = realloc(chunks->items, capacity * sizeof *items);
        if (!items) return -1;
        chunks->items = items;
        chunks->capacity = capacity;
    }
    chunks->items[chunks->count++] = chunk;
    return 0;
}

/// Checks the messages of one chunk, held in `bytes`, and queues the chunks
/// its continuation messages name. `version` is the object header's (1 or 2);
/// `order` whether version 2 messages carry a creation order.
static int check_chunk(const struct bpk_file_bytes *file, const unsigned char *bytes, size_t size, unsigned version,
                       int order, struct chunks *chunks) {
    size_t header = version == 1 ? 8 : (order ? 6 : 4);
    size_t at = 0;
    while (at + header <= size) {
        unsigned type = version == 1 ? (unsigned)decode(bytes + at, 2) : bytes[at];
        size_t length = (size_t)decode(bytes + at + (version == 1 ? 2 : 1), 2);
        unsigned flags = bytes[at + (version == 1 ? 4 : 3)];
        at += header;
        if (length > size - at) return 1;
        const unsigned char *message = bytes + at;
        at += length;
        if (flags & message_shared) continue;
        if (type == message_attribute && check_attribute(message, length, file->length_size)) return 1;
        if (type == message_continuation) {
            if (length < file->address_size + file->length_size) return 1;
            int added = chunks_append(chunks, (struct chunk){decode(message, file->address_size),
                                                             decode(message + file->address_size, file->length_size)});
            if (added != 0) return added;
        }
    }
    // Version 1 chunks end exactly; version 2 ones may end with a gap smaller than a message header.
    return version == 1 && at != size;
}

int bpk_check_attribute_messages(const struct bpk_file_bytes *file, uint64_t address) {
    if (file->address_size < 2 || file->address_size > 8 || file->length_size < 2 || file->length_size > 8) return 1;
    unsigned char prefix[40];
    int got = read_at(file, address, prefix, 16);
    if (got != 0) return got;
    unsigned version;
    int order = 0;
    struct chunk first;
    if (memcmp(prefix, "OHDR", 4) == 0) {
        // "OHDR", version 2, flags, [4 times], [2 attribute phase change values], chunk 0's size (1, 2, 4 or 8 bytes).
        version = 2;
        if (prefix[4] != 2) return 1;
        unsigned flags = prefix[5];
        size_t at = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
        unsigned width = 1u << (flags & 0x03);
        if ((got = read_at(file, address, prefix, at + width)) != 0) return got;
        order = (flags & 0x04) != 0;
        first = (struct chunk){address + at + width, decode(prefix + at, width)};
    } else {
        // Version 1, a reserved byte, 2 bytes of message count, 4 of reference count, 4 of chunk 0's size, 4 reserved.
        version = 1;
        if (prefix[0] != 1) return 1;
        first = (struct chunk){address + 16, decode(prefix + 8, 4)};
    }
    struct chunks chunks = {0};
    int status = chunks_append(&chunks, first);
    for (size_t index = 0; status == 0 && index < chunks.count; index++) {
        struct chunk chunk = chunks.items[index];
        // A version 2 continuation chunk starts with "OCHK" and ends with a checksum (chunk 0's
        // size leaves out its prefix and checksum).
        uint64_t skip = version == 2 && index > 0 ? 4 : 0, trail = skip;
        if (chunk.size > max_chunk_bytes || chunk.size < skip + trail) {
            status = 1;
            break;
        }
        unsigned char *bytes = malloc(chunk.size ? chunk.size : 1);
        if (!bytes) {
            status = -1;
            break;
        }
        status = read_at(file, chunk.address, bytes, chunk.size);
        if (status == 0 && skip && memcmp(bytes, "OCHK", 4) != 0) status = 1;
        if (status == 0) {
            status = check_chunk(file, bytes + skip, chunk.size - skip - trail, version, order, &chunks);
        }
        free(bytes);
    }
    free(chunks.items);
    return status;
}
