// The parts of MPI's C API that Swift cannot import directly.
//
// Open MPI's predefined communicators and datatypes (MPI_COMM_WORLD,
// MPI_BYTE, ...) are macros that cast the address of a global object, and
// MPI_STATUS_IGNORE a cast null pointer; Swift imports none of them. Each
// is wrapped here in a prefixed `static inline` function. Only the MPI-enabled
// build (`make mpi`) sees this module.
#ifndef BPKIT_CMPI_SHIM_H
#define BPKIT_CMPI_SHIM_H

#include <mpi.h>
#include <stdint.h>

// MARK: - Constants

static inline MPI_Comm bpk_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype bpk_MPI_BYTE(void) { return MPI_BYTE; }
static inline MPI_Datatype bpk_MPI_INT64_T(void) { return MPI_INT64_T; }
static inline MPI_Errhandler bpk_MPI_ERRORS_RETURN(void) { return MPI_ERRORS_RETURN; }
static inline int bpk_MPI_SUCCESS(void) { return MPI_SUCCESS; }
static inline int bpk_MPI_MAX_ERROR_STRING(void) { return MPI_MAX_ERROR_STRING; }
static inline int bpk_MPI_THREAD_SERIALIZED(void) { return MPI_THREAD_SERIALIZED; }

// MARK: - Calls that take a status

/// MPI_Recv of up to `count` bytes from `source` with tag 0 on
/// MPI_COMM_WORLD; `received` is the message's size in bytes.
static inline int bpk_mpi_receive_bytes(void *buffer, int count, int source, int *received) {
    MPI_Status status;
    int result = MPI_Recv(buffer, count, MPI_BYTE, source, 0, MPI_COMM_WORLD, &status);
    if (result != MPI_SUCCESS) return result;
    return MPI_Get_count(&status, MPI_BYTE, received);
}

#endif
