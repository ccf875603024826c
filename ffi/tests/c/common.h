/* Helpers shared by the C tests of the radscore ABI (ffi/tests/c_harness.rs builds and runs
 * them under valgrind). Strict C99: no POSIX, no C11. */
#ifndef RADSCORE_TEST_COMMON_H
#define RADSCORE_TEST_COMMON_H

#include "radscore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int failures;


#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

/* Checks that `call` returns `want`, printing both codes and messages otherwise. */
#define EXPECT(want, call)                                                                  \
    do {                                                                                    \
        RadscoreStatus got_ = (call);                                                       \
        if (got_ != (RadscoreStatus)(want)) {                                               \
            fprintf(stderr, "%s:%d: %s\n  returned %u (%s), expected %u (%s)\n", __FILE__,  \
                    __LINE__, #call, (unsigned)got_, radscore_status_message(got_),         \
                    (unsigned)(want), radscore_status_message((uint32_t)(want)));           \
            failures++;                                                                     \
        }                                                                                   \
    } while (0)

typedef struct {
    unsigned char *file; /* owns everything */
    uint32_t type;
    uint32_t label;
    size_t dims[3];
    double spacing[3];
    void *data; /* points into file, 8-byte aligned */
} RawVolume;

/* Prints "ok" and returns 0 if no check failed, else prints the count and returns 1. */
int finish(void);
/* Reads dir/name into a malloc'd buffer (caller frees); exits with status 2 on error. */
unsigned char *read_file(const char *dir, const char *name, size_t *len);
/* Reads a raw volume written by the harness: 8-byte magic "RSRAWVOL", uint32 type tag,
 * uint32 label (masks) or 0, uint64 dims[3], double spacing[3], then the voxels (native
 * endianness). Free v->file when done. */
void read_volume(const char *dir, const char *name, RawVolume *v);
RadscoreImage image_of(const RawVolume *v);
RadscoreMask mask_of(const RawVolume *v, uint32_t label);
/* IEEE-754 bit pattern of x. */
unsigned long long bits_of(double x);

#endif
