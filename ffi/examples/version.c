/* Minimal radscore consumer: checks the ABI major version and prints the library version. */
#include "radscore.h"
#include <stdio.h>

int main(void) {
    uint32_t major = 0, minor = 0, patch = 0;
    RadscoreStatus st;
    if ((radscore_abi_version() >> 16) != RADSCORE_ABI_MAJOR) {
        fprintf(stderr, "radscore ABI mismatch: header %u, library %u\n",
                (unsigned)RADSCORE_ABI_VERSION, (unsigned)radscore_abi_version());
        return 1;
    }
    st = radscore_library_version(&major, &minor, &patch);
    if (st != RADSCORE_STATUS_OK) {
        fprintf(stderr, "radscore: %s\n", radscore_status_message(st));
        return 1;
    }
    printf("radscore %u.%u.%u (ABI 0x%08x)\n", (unsigned)major, (unsigned)minor,
           (unsigned)patch, (unsigned)radscore_abi_version());
    return 0;
}
