// The probe's check of attribute messages in object headers, made on the
// file's bytes before libhdf5 decodes them: see attribute_messages.c.
#ifndef BPKIT_CHDF5PROBE_ATTRIBUTE_MESSAGES_H
#define BPKIT_CHDF5PROBE_ATTRIBUTE_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

/// Where the probe reads a file's raw bytes: a file image in memory, or a
/// descriptor read with pread(2).
struct bpk_file_bytes {
    /// The image, or NULL to read `descriptor`.
    const unsigned char *image;
    /// The image's size in bytes.
    size_t size;
    /// The file, when there is no image; -1 when neither is there.
    int descriptor;
    /// Where HDF5 addresses count from: the superblock's place (the user block's size).
    uint64_t base;
    /// The file's size of addresses and of lengths (superblock), in bytes.
    unsigned address_size, length_size;
};

/// Checks every attribute message stored in the object header at `address`
/// (an HDF5 address, relative to `bytes->base`): each must hold its name
/// (null-terminated where its length says), its datatype, its dataspace and
/// its data within the bytes the message declares. libhdf5 1.10 decodes an
/// attribute message from the sizes its parts declare without comparing
/// them with the message's own size, and copies the data from wherever they
/// end: a damaged size makes it read past the buffer that holds the header
/// (heap memory), so what it then does depends on what lies there.
///
/// Returns 0 when every attribute message is whole (and for attributes this
/// check cannot see: those in dense storage or shared message heaps, and
/// the data of those whose datatype or dataspace is shared), 1 when one is
/// not or the object header cannot be walked, -1 when the bytes cannot be read.
int bpk_check_attribute_messages(const struct bpk_file_bytes *bytes, uint64_t address);

#endif
