// Text codecs for bpkit's JSON documents at memory speed: the bulk of base64
// (RFC 4648, standard alphabet) and the scan of a JSON string's characters,
// 32 bytes at a time with AVX2 when the calling thread's kernel path is AVX2
// or AVX-512 (BPKIT_KERNELS=portable leaves all of it to the caller's scalar
// code, which gives the same bytes). Each function does only
// the part it can do in whole vector blocks and returns how far it got; the
// caller finishes the rest (tails, padding, errors) with its own scalar
// code, so that every error is found and reported in one place.
#ifndef BPKIT_TEXT_H
#define BPKIT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Encodes whole 24-byte blocks of `input` (n bytes) as base64 into `output`
/// (32 characters per block) while at least 28 bytes of input remain;
/// returns the number of input bytes encoded (a multiple of 3; 0 on the portable path).
size_t bpk_base64_encode_blocks(const uint8_t *input, size_t n, uint8_t *output);

/// Decodes whole 32-character blocks of base64 `text` (n characters) into
/// `output` (24 bytes per block; a block's store writes 32 bytes, so it goes
/// on only while `output_capacity` leaves 32 bytes) and stops before the
/// first block holding a character outside the alphabet (padding included);
/// returns the number of characters decoded (a multiple of 32; 0 on the portable path).
size_t bpk_base64_decode_blocks(const uint8_t *text, size_t n, uint8_t *output, size_t output_capacity);

/// The offset of the first byte of `text[0..<n]` that is a double quote, a
/// backslash or below 0x20 (a control character), or n when there is none.
size_t bpk_json_string_stop(const uint8_t *text, size_t n);

#ifdef __cplusplus
}
#endif

#endif
