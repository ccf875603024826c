/* C tests of the radscore ABI: version, status messages, NULL checks. Run under valgrind by
 * ffi/tests/c_harness.rs. Prints "ok" and exits 0 on success. */
#include "common.h"

int main(void) {
    uint32_t ma = 99, mi = 99, pa = 99;
    static const uint32_t codes[] = {
        RADSCORE_STATUS_OK,
        RADSCORE_STATUS_BAD_MAGIC,
        RADSCORE_STATUS_UNSUPPORTED_VERSION,
        RADSCORE_STATUS_TRUNCATED,
        RADSCORE_STATUS_BAD_CRC,
        RADSCORE_STATUS_TRAILING_BYTES,
        RADSCORE_STATUS_MALFORMED_BODY,
        RADSCORE_STATUS_CAPACITY_EXCEEDED,
        RADSCORE_STATUS_NON_FINITE_PARAMETER,
        RADSCORE_STATUS_NON_POSITIVE_SD,
        RADSCORE_STATUS_INCONSISTENT_MODEL,
        RADSCORE_STATUS_BAD_SIGNATURE,
        RADSCORE_STATUS_BUFFER_TOO_SMALL,
        RADSCORE_STATUS_UNSUPPORTED_FLAGS,
        RADSCORE_STATUS_SIGNATURE_MISSING,
        RADSCORE_STATUS_SIGNATURE_UNSUPPORTED,
        RADSCORE_STATUS_NON_FINITE_INPUT,
        RADSCORE_STATUS_FEATURE_COUNT_MISMATCH,
        RADSCORE_STATUS_CLINICAL_COUNT_MISMATCH,
        RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
        RADSCORE_STATUS_NON_BINARY_INPUT,
        RADSCORE_STATUS_NON_FINITE_SCORE,
        RADSCORE_STATUS_BAD_DIMENSIONS,
        RADSCORE_STATUS_BAD_SPACING,
        RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH,
        RADSCORE_STATUS_MASK_SIZE_MISMATCH,
        RADSCORE_STATUS_LABEL_NOT_PRESENT,
        RADSCORE_STATUS_ROI_TOO_FEW_DIMENSIONS,
        RADSCORE_STATUS_ROI_SINGLE_VOXEL,
        RADSCORE_STATUS_IMAGE_TOO_SMALL_FOR_FILTER,
        RADSCORE_STATUS_NON_FINITE_VOXEL,
        RADSCORE_STATUS_BAD_FILTER_PARAMETER,
        RADSCORE_STATUS_UNKNOWN_FEATURE_NAME,
        RADSCORE_STATUS_UNSUPPORTED_FEATURE,
        RADSCORE_STATUS_BAD_BIN_WIDTH,
        RADSCORE_STATUS_BAD_NAME,
        RADSCORE_STATUS_SCRATCH_TOO_SMALL,
        RADSCORE_STATUS_OUTPUT_TOO_SMALL,
        RADSCORE_STATUS_SIZE_OVERFLOW,
        RADSCORE_STATUS_NULL_POINTER,
        RADSCORE_STATUS_MISALIGNED,
        RADSCORE_STATUS_BAD_ARGUMENT,
        RADSCORE_STATUS_UNKNOWN_SEQUENCE,
        RADSCORE_STATUS_MODEL_NOT_LOADED,
        RADSCORE_STATUS_PANIC,
    };
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
    /* every message is distinct */
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        size_t j;
        for (j = i + 1; j < sizeof codes / sizeof codes[0]; j++) {
            CHECK(codes[i] != codes[j]);
            CHECK(strcmp(radscore_status_message(codes[i]), radscore_status_message(codes[j])) != 0);
        }
    }
    CHECK(RADSCORE_ABI_VERSION == ((RADSCORE_ABI_MAJOR << 16) | RADSCORE_ABI_MINOR));
    CHECK(sizeof(RadscoreStatus) == 4);
    return finish();
}
