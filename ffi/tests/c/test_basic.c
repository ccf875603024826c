/* C tests of the radscore ABI: version, status messages, NULL checks. Run under valgrind by
 * ffi/tests/c_harness.rs. Prints "ok" and exits 0 on success. */
#include "radscore.h"
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

int main(void) {
    uint32_t ma = 99, mi = 99, pa = 99;
    static const uint32_t codes[] = {0, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110,
                                     111, 200, 201, 202, 203, 300, 301, 302, 303, 304, 305, 306,
                                     307, 308, 309, 400, 401, 402, 403, 500, 501, 502, 900, 901,
                                     902, 999};
    size_t i;
    CHECK((radscore_abi_version() >> 16) == RADSCORE_ABI_MAJOR);
    CHECK(radscore_abi_version() == RADSCORE_ABI_VERSION);
    CHECK(radscore_library_version(&ma, &mi, &pa) == RADSCORE_STATUS_OK);
    CHECK(ma == 0 && mi == 1 && pa == 0);
    CHECK(radscore_library_version(NULL, &mi, &pa) == RADSCORE_STATUS_NULL_POINTER);
    CHECK(radscore_library_version(&ma, NULL, &pa) == RADSCORE_STATUS_NULL_POINTER);
    CHECK(radscore_library_version(&ma, &mi, NULL) == RADSCORE_STATUS_NULL_POINTER);
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *m = radscore_status_message(codes[i]);
        CHECK(m != NULL);
        CHECK(m != NULL && strlen(m) > 0);
        CHECK(m != NULL && strcmp(m, "unknown status code") != 0);
    }
    CHECK(strcmp(radscore_status_message(1), "unknown status code") == 0);
    CHECK(strcmp(radscore_status_message(0xFFFFFFFFu), "unknown status code") == 0);
    CHECK(strcmp(radscore_status_message(RADSCORE_STATUS_OK), "ok") == 0);
    if (failures != 0) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
