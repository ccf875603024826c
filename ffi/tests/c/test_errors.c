/* Every error path of the radscore ABI: NULL pointers, misaligned storage, bad tags, zero and
 * overflowing dims, mask/image mismatch, missing label, NaN/inf inputs, scratch and output
 * too small, truncated/corrupted/unsigned-when-required models. Checks that each returns the
 * documented status, writes no output, and (under valgrind) touches no memory it should not.
 * Usage: test_errors DIR (files prepared by ffi/tests/c_harness.rs). */
#include "common.h"
#include <math.h>
#include <stdint.h>

/* 16-byte aligned storage from malloc plus room to misalign it. */
static unsigned char *storage_block(void) {
    unsigned char *p = (unsigned char *)malloc(radscore_model_size() + 64);
    if (p == NULL) {
        exit(2);
    }
    return p;
}

static void model_errors(const char *dir) {
    size_t len, slen, klen, n = 0;
    unsigned char *bytes = read_file(dir, "model.rsm", &len);
    unsigned char *signed_bytes = read_file(dir, "model_signed.rsm", &slen);
    unsigned char *key = read_file(dir, "public_key.bin", &klen);
    unsigned char *wrong_key = read_file(dir, "wrong_key.bin", &klen);
    unsigned char *copy = (unsigned char *)malloc(slen + len + 16);
    unsigned char *st = storage_block();
    const RadscoreModel *model = NULL;
    const RadscoreModel *sentinel = (const RadscoreModel *)(void *)&n;
    size_t i, sz = radscore_model_size();
    if (copy == NULL) {
        exit(2);
    }
    CHECK(klen == RADSCORE_PUBLIC_KEY_LEN);

    /* NULL arguments */
    model = sentinel;
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_load(NULL, sz, bytes, len, &model));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_load(st, sz, NULL, len, &model));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_load(st, sz, bytes, len, NULL));
    EXPECT(RADSCORE_STATUS_NULL_POINTER,
           radscore_model_load_verified(st, sz, signed_bytes, slen, NULL, &model));
    CHECK(model == sentinel); /* nothing written on error */

    /* storage too small, misaligned */
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, radscore_model_load(st, sz - 1, bytes, len, &model));
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, radscore_model_load(st, 0, bytes, len, &model));
    if (radscore_model_align() > 1) {
        EXPECT(RADSCORE_STATUS_MISALIGNED, radscore_model_load(st + 1, sz, bytes, len, &model));
    }
    CHECK(model == sentinel);

    /* truncated: every prefix length is rejected, none crashes */
    for (i = 0; i < len; i++) {
        RadscoreStatus s = radscore_model_load(st, sz, bytes, i, &model);
        CHECK(s != RADSCORE_STATUS_OK);
        CHECK(s == RADSCORE_STATUS_TRUNCATED || s == RADSCORE_STATUS_BAD_CRC ||
              s == RADSCORE_STATUS_MALFORMED_BODY || s == RADSCORE_STATUS_BAD_MAGIC);
    }
    EXPECT(RADSCORE_STATUS_TRUNCATED, radscore_model_load(st, sz, bytes, 0, &model));
    EXPECT(RADSCORE_STATUS_TRUNCATED, radscore_model_load(st, sz, bytes, 3, &model));
    CHECK(model == sentinel);

    /* trailing byte */
    memcpy(copy, bytes, len);
    copy[len] = 0;
    EXPECT(RADSCORE_STATUS_TRAILING_BYTES, radscore_model_load(st, sz, copy, len + 1, &model));

    /* corrupted: magic, version, and every single-bit flip of the body/CRC */
    memcpy(copy, bytes, len);
    copy[0] ^= 0x20;
    EXPECT(RADSCORE_STATUS_BAD_MAGIC, radscore_model_load(st, sz, copy, len, &model));
    memcpy(copy, bytes, len);
    copy[4] ^= 0x7f;
    EXPECT(RADSCORE_STATUS_UNSUPPORTED_VERSION, radscore_model_load(st, sz, copy, len, &model));
    for (i = 16; i < len * 8; i += 7) {
        RadscoreStatus s;
        memcpy(copy, bytes, len);
        copy[i / 8] ^= (unsigned char)(1u << (i % 8));
        s = radscore_model_load(st, sz, copy, len, &model);
        CHECK(s != RADSCORE_STATUS_OK);
    }
    memcpy(copy, bytes, len);
    copy[len / 2] ^= 0x01;
    EXPECT(RADSCORE_STATUS_BAD_CRC, radscore_model_load(st, sz, copy, len, &model));
    CHECK(model == sentinel);

    /* a failed load invalidates the storage: the old handle is refused */
    EXPECT(RADSCORE_STATUS_OK, radscore_model_load(st, sz, bytes, len, &model));
    CHECK(model == (const RadscoreModel *)(void *)st);
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n));
    EXPECT(RADSCORE_STATUS_BAD_CRC, radscore_model_load(st, sz, copy, len, &model));
    EXPECT(RADSCORE_STATUS_MODEL_NOT_LOADED, radscore_model_feature_count(model, &n));

    /* signatures */
    model = sentinel;
    EXPECT(RADSCORE_STATUS_SIGNATURE_MISSING,
           radscore_model_load_verified(st, sz, bytes, len, key, &model));
    EXPECT(RADSCORE_STATUS_BAD_SIGNATURE,
           radscore_model_load_verified(st, sz, signed_bytes, slen, wrong_key, &model));
    memcpy(copy, signed_bytes, slen);
    copy[slen - 10] ^= 0x04; /* inside the signature */
    {
        RadscoreStatus s = radscore_model_load_verified(st, sz, copy, slen, key, &model);
        CHECK(s == RADSCORE_STATUS_BAD_SIGNATURE || s == RADSCORE_STATUS_BAD_CRC);
    }
    CHECK(model == sentinel);
    EXPECT(RADSCORE_STATUS_OK,
           radscore_model_load_verified(st, sz, signed_bytes, slen, key, &model));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_load(st, sz, signed_bytes, slen, &model));

    free(bytes);
    free(signed_bytes);
    free(key);
    free(wrong_key);
    free(copy);
    free(st);
}

static void query_errors(const RadscoreModel *model) {
    size_t n = 777, len = 777, n_features = 0, n_predictors = 0;
    char buf[8];
    uint32_t kind = 777;
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_feature_count(NULL, &n));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_feature_count(model, NULL));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_clinical_count(NULL, &n));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_predictor_count(NULL, &n));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_sequence_count(NULL, &n));
    CHECK(n == 777);
    if (radscore_model_align() > 1) {
        double aligned[2];
        EXPECT(RADSCORE_STATUS_MISALIGNED,
               radscore_model_feature_count(
                   (const RadscoreModel *)(const void *)((const char *)aligned + 1), &n));
    }
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_predictor_count(model, &n_predictors));

    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_feature_name(model, n_features, buf, sizeof buf, &len));
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_feature_sequence(model, (size_t)-1, buf, sizeof buf, &len));
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_predictor_name(model, n_predictors, buf, sizeof buf, &len));
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_predictor_unit(model, n_predictors, buf, sizeof buf, &len));
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_predictor_kind(model, n_predictors, &kind));
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
           radscore_model_sequence_name(model, 99, buf, sizeof buf, &len));
    CHECK(len == 777 && kind == 777);
    {
        uint32_t computable = 777;
        EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
               radscore_model_feature_computable(model, n_features, &computable));
        CHECK(computable == 777);
        EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_feature_computable(model, 0, NULL));
        /* the illustrative model's features are all computed by the core */
        EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_computable(model, 0, &computable));
        CHECK(computable == 1);
        CHECK(strstr(radscore_status_message(RADSCORE_STATUS_FEATURE_NOT_COMPUTABLE), "features table") != NULL);
    }
    EXPECT(RADSCORE_STATUS_NULL_POINTER,
           radscore_model_feature_name(model, 0, buf, sizeof buf, NULL));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_feature_name(model, 0, NULL, 8, &len));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_predictor_kind(model, 0, NULL));
    /* feature names are longer than 8 bytes: too small, length still reported, buf untouched */
    memset(buf, 'x', sizeof buf);
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL,
           radscore_model_feature_name(model, 0, buf, sizeof buf, &len));
    CHECK(len > sizeof buf && buf[0] == 'x' && buf[7] == 'x');
    /* exactly len bytes (no room for the NUL) is still too small */
    {
        char *exact = (char *)malloc(len + 1);
        size_t len2 = 0;
        if (exact == NULL) {
            exit(2);
        }
        EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL,
               radscore_model_feature_name(model, 0, exact, len, &len2));
        EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_name(model, 0, exact, len + 1, &len2));
        CHECK(len2 == len && exact[len] == '\0');
        free(exact);
    }
}

static void extract_errors(const char *dir, const RadscoreModel *model) {
    size_t n_features = 0, len = 0, need = 0, i, nvox, big;
    char seq[64];
    char img_name[80], msk_name[80];
    RawVolume img, msk;
    RadscoreImage im, bad;
    RadscoreMask mk, badm;
    double *scratch, *features;
    float *fvox;
    double *dvox;
    unsigned char *odd;

    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_sequence_name(model, 0, seq, sizeof seq, &len));
    sprintf(img_name, "%s.img", seq);
    sprintf(msk_name, "%s.msk", seq);
    read_volume(dir, img_name, &img);
    read_volume(dir, msk_name, &msk);
    im = image_of(&img);
    mk = mask_of(&msk, msk.label);
    nvox = im.dims[0] * im.dims[1] * im.dims[2];
    EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len(model, seq, &im, &mk, &need));
    scratch = (double *)malloc((need + 1) * sizeof *scratch);
    features = (double *)malloc((n_features + 1) * sizeof *features);
    if (scratch == NULL || features == NULL) {
        exit(2);
    }
    for (i = 0; i < n_features; i++) {
        features[i] = 4242.0;
    }

#define EXTRACT(want, m, s, i_, k_, sc, sl, f, fl)                                 \
    do {                                                                           \
        EXPECT(want, radscore_extract(m, s, i_, k_, sc, sl, f, fl));               \
        if ((want) != RADSCORE_STATUS_OK) {                                        \
            size_t j_;                                                             \
            for (j_ = 0; j_ < n_features; j_++) {                                  \
                CHECK(features[j_] == 4242.0);                                     \
            }                                                                      \
        }                                                                          \
    } while (0)

    /* NULL pointers */
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, NULL, seq, &im, &mk, scratch, need, features, n_features);
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, NULL, &im, &mk, scratch, need, features, n_features);
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, NULL, &mk, scratch, need, features, n_features);
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, &im, NULL, scratch, need, features, n_features);
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, &im, &mk, NULL, need, features, n_features);
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, &im, &mk, scratch, need, NULL, n_features);
    bad = im;
    bad.voxels = NULL;
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, &bad, &mk, scratch, need, features, n_features);
    badm = mk;
    badm.labels = NULL;
    EXTRACT(RADSCORE_STATUS_NULL_POINTER, model, seq, &im, &badm, scratch, need, features, n_features);
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_scratch_len(model, seq, &im, &mk, NULL));
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_scratch_len(model, seq, NULL, &mk, &need));

    /* static-allocation bound: box larger than the image, NULL dims */
    {
        size_t box[3], bound = 5;
        box[0] = im.dims[0] + 1;
        box[1] = im.dims[1];
        box[2] = im.dims[2];
        EXPECT(RADSCORE_STATUS_BAD_DIMENSIONS,
               radscore_scratch_len_bound(model, seq, im.dims, box, &bound));
        EXPECT(RADSCORE_STATUS_NULL_POINTER,
               radscore_scratch_len_bound(model, seq, NULL, box, &bound));
        EXPECT(RADSCORE_STATUS_UNKNOWN_SEQUENCE,
               radscore_scratch_len_bound(model, "flair", im.dims, im.dims, &bound));
        CHECK(bound == 5);
        EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len_bound(model, seq, im.dims, im.dims, &bound));
        CHECK(bound >= need);
    }

    /* sequence names */
    EXTRACT(RADSCORE_STATUS_UNKNOWN_SEQUENCE, model, "flair", &im, &mk, scratch, need, features,
            n_features);
    EXTRACT(RADSCORE_STATUS_UNKNOWN_SEQUENCE, model, "", &im, &mk, scratch, need, features,
            n_features);
    EXTRACT(RADSCORE_STATUS_BAD_NAME, model,
            "a-sequence-name-that-is-much-longer-than-sixty-four-bytes-which-is-the-limit",
            &im, &mk, scratch, need, features, n_features);

    /* type tags */
    bad = im;
    bad.voxel_type = 0;
    EXTRACT(RADSCORE_STATUS_BAD_ARGUMENT, model, seq, &bad, &mk, scratch, need, features, n_features);
    bad.voxel_type = 6;
    EXTRACT(RADSCORE_STATUS_BAD_ARGUMENT, model, seq, &bad, &mk, scratch, need, features, n_features);
    badm = mk;
    badm.mask_type = 4;
    EXTRACT(RADSCORE_STATUS_BAD_ARGUMENT, model, seq, &im, &badm, scratch, need, features, n_features);

    /* dims: zero, overflowing voxel count, overflowing byte count */
    bad = im;
    bad.dims[1] = 0;
    EXTRACT(RADSCORE_STATUS_BAD_DIMENSIONS, model, seq, &bad, &mk, scratch, need, features, n_features);
    bad.dims[0] = SIZE_MAX / 2;
    bad.dims[1] = 3;
    EXTRACT(RADSCORE_STATUS_BAD_DIMENSIONS, model, seq, &bad, &mk, scratch, need, features, n_features);
    big = SIZE_MAX / 4; /* voxel count fits, the byte count of 8-byte voxels does not */
    bad.dims[0] = big;
    bad.dims[1] = 1;
    bad.dims[2] = 1;
    bad.voxel_type = RADSCORE_VOXEL_F64;
    EXTRACT(RADSCORE_STATUS_BAD_DIMENSIONS, model, seq, &bad, &mk, scratch, need, features, n_features);
    badm = mk;
    badm.dims[2] = 0;
    EXTRACT(RADSCORE_STATUS_BAD_DIMENSIONS, model, seq, &im, &badm, scratch, need, features, n_features);

    /* mask and image disagree (the mask describes a smaller buffer: nothing is over-read) */
    badm = mk;
    badm.dims[2] = mk.dims[2] - 1;
    EXTRACT(RADSCORE_STATUS_MASK_SIZE_MISMATCH, model, seq, &im, &badm, scratch, need, features,
            n_features);
    EXPECT(RADSCORE_STATUS_MASK_SIZE_MISMATCH, radscore_scratch_len(model, seq, &im, &badm, &len));

    /* wrong label */
    badm = mk;
    badm.label = 77;
    EXTRACT(RADSCORE_STATUS_LABEL_NOT_PRESENT, model, seq, &im, &badm, scratch, need, features,
            n_features);
    EXPECT(RADSCORE_STATUS_LABEL_NOT_PRESENT, radscore_scratch_len(model, seq, &im, &badm, &len));

    /* spacing */
    bad = im;
    bad.spacing[0] = 0.0;
    EXTRACT(RADSCORE_STATUS_BAD_SPACING, model, seq, &bad, &mk, scratch, need, features, n_features);
    bad.spacing[0] = -1.0;
    EXTRACT(RADSCORE_STATUS_BAD_SPACING, model, seq, &bad, &mk, scratch, need, features, n_features);
    bad.spacing[0] = INFINITY;
    EXTRACT(RADSCORE_STATUS_BAD_SPACING, model, seq, &bad, &mk, scratch, need, features, n_features);
    bad.spacing[0] = im.spacing[0];
    bad.spacing[2] = NAN;
    EXTRACT(RADSCORE_STATUS_BAD_SPACING, model, seq, &bad, &mk, scratch, need, features, n_features);

    /* non-finite voxels in float images */
    fvox = (float *)malloc(nvox * sizeof *fvox);
    dvox = (double *)malloc(nvox * sizeof *dvox);
    if (fvox == NULL || dvox == NULL) {
        exit(2);
    }
    for (i = 0; i < nvox; i++) {
        fvox[i] = (float)(i % 100);
        dvox[i] = (double)(i % 100);
    }
    fvox[nvox / 2] = NAN;
    dvox[nvox / 3] = -INFINITY;
    bad = im;
    bad.voxels = fvox;
    bad.voxel_type = RADSCORE_VOXEL_F32;
    EXTRACT(RADSCORE_STATUS_NON_FINITE_VOXEL, model, seq, &bad, &mk, scratch, need, features,
            n_features);
    bad.voxels = dvox;
    bad.voxel_type = RADSCORE_VOXEL_F64;
    EXTRACT(RADSCORE_STATUS_NON_FINITE_VOXEL, model, seq, &bad, &mk, scratch, need, features,
            n_features);

    /* memory: scratch and output too small, misaligned pointers */
    EXTRACT(RADSCORE_STATUS_SCRATCH_TOO_SMALL, model, seq, &im, &mk, scratch, need - 1, features,
            n_features);
    EXTRACT(RADSCORE_STATUS_SCRATCH_TOO_SMALL, model, seq, &im, &mk, scratch, 0, features,
            n_features);
    EXTRACT(RADSCORE_STATUS_SIZE_OVERFLOW, model, seq, &im, &mk, scratch, SIZE_MAX / 4, features,
            n_features);
    EXTRACT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, model, seq, &im, &mk, scratch, need, features,
            n_features - 1);
    EXTRACT(RADSCORE_STATUS_MISALIGNED, model, seq, &im, &mk,
            (double *)(void *)((unsigned char *)scratch + 4), need, features, n_features);
    EXTRACT(RADSCORE_STATUS_MISALIGNED, model, seq, &im, &mk, scratch, need,
            (double *)(void *)((unsigned char *)features + 1), n_features);
    odd = (unsigned char *)malloc(nvox * 4 + 8);
    if (odd == NULL) {
        exit(2);
    }
    memset(odd, 0, nvox * 4 + 8);
    bad = im;
    bad.voxels = odd + 1;
    bad.voxel_type = RADSCORE_VOXEL_I16;
    EXTRACT(RADSCORE_STATUS_MISALIGNED, model, seq, &bad, &mk, scratch, need, features, n_features);
    badm = mk;
    badm.labels = odd + 2;
    badm.mask_type = RADSCORE_MASK_U32;
    EXTRACT(RADSCORE_STATUS_MISALIGNED, model, seq, &im, &badm, scratch, need, features, n_features);

    /* the same inputs succeed */
    EXTRACT(RADSCORE_STATUS_OK, model, seq, &im, &mk, scratch, need, features, n_features);
#undef EXTRACT

    free(odd);
    free(fvox);
    free(dvox);
    free(scratch);
    free(features);
    free(img.file);
    free(msk.file);
}

static void score_errors(const RadscoreModel *model) {
    size_t n_features = 0, n_clinical = 0, i;
    double features[RADSCORE_MAX_FEATURES + 1], clinical[RADSCORE_MAX_CLINICAL + 1];
    RadscoreScore s, untouched;
    uint32_t kind;
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_clinical_count(model, &n_clinical));
    for (i = 0; i <= RADSCORE_MAX_FEATURES; i++) {
        features[i] = 0.5;
    }
    for (i = 0; i <= RADSCORE_MAX_CLINICAL; i++) {
        clinical[i] = 1.0;
    }
    memset(&s, 0xA5, sizeof s);
    untouched = s;
    EXPECT(RADSCORE_STATUS_NULL_POINTER,
           radscore_score(NULL, features, n_features, clinical, n_clinical, &s));
    EXPECT(RADSCORE_STATUS_NULL_POINTER,
           radscore_score(model, NULL, n_features, clinical, n_clinical, &s));
    EXPECT(RADSCORE_STATUS_NULL_POINTER,
           radscore_score(model, features, n_features, clinical, n_clinical, NULL));
    if (n_clinical > 0) {
        EXPECT(RADSCORE_STATUS_NULL_POINTER,
               radscore_score(model, features, n_features, NULL, n_clinical, &s));
    }
    EXPECT(RADSCORE_STATUS_FEATURE_COUNT_MISMATCH,
           radscore_score(model, features, n_features - 1, clinical, n_clinical, &s));
    EXPECT(RADSCORE_STATUS_FEATURE_COUNT_MISMATCH,
           radscore_score(model, features, n_features + 1, clinical, n_clinical, &s));
    EXPECT(RADSCORE_STATUS_CLINICAL_COUNT_MISMATCH,
           radscore_score(model, features, n_features, clinical, n_clinical + 1, &s));
    features[n_features - 1] = NAN;
    EXPECT(RADSCORE_STATUS_NON_FINITE_INPUT,
           radscore_score(model, features, n_features, clinical, n_clinical, &s));
    features[n_features - 1] = INFINITY;
    EXPECT(RADSCORE_STATUS_NON_FINITE_INPUT,
           radscore_score(model, features, n_features, clinical, n_clinical, &s));
    features[n_features - 1] = 0.5;
    if (n_clinical > 0) {
        clinical[0] = -INFINITY;
        EXPECT(RADSCORE_STATUS_NON_FINITE_INPUT,
               radscore_score(model, features, n_features, clinical, n_clinical, &s));
        clinical[0] = 1.0;
    }
    for (i = 0; i < n_clinical; i++) {
        EXPECT(RADSCORE_STATUS_OK, radscore_model_predictor_kind(model, i + 1, &kind));
        if (kind == RADSCORE_PREDICTOR_BINARY) {
            clinical[i] = 0.5;
            EXPECT(RADSCORE_STATUS_NON_BINARY_INPUT,
                   radscore_score(model, features, n_features, clinical, n_clinical, &s));
            clinical[i] = 1.0;
        }
    }
    EXPECT(RADSCORE_STATUS_MISALIGNED,
           radscore_score(model, (const double *)(const void *)((const char *)features + 2),
                          n_features, clinical, n_clinical, &s));
    CHECK(memcmp(&s, &untouched, sizeof s) == 0); /* nothing written on error */
    EXPECT(RADSCORE_STATUS_OK,
           radscore_score(model, features, n_features, clinical, n_clinical, &s));
    CHECK(s.n_points == n_clinical + 1);
}


/* ROI geometry checks and the LoG size check on small synthetic uint16 images. */
static void roi_errors(const RadscoreModel *model) {
    enum { N = 8 };
    static uint16_t vox[N * N * N];
    static uint8_t lab[N * N * N];
    double scratch[4096], features[RADSCORE_MAX_FEATURES];
    size_t i, n_features = 0, len = 0, need = 0;
    char seq[64], log_seq[64] = "";
    RadscoreImage im;
    RadscoreMask mk;
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_sequence_name(model, 0, seq, sizeof seq, &len));
    for (i = 0; i < n_features; i++) {
        char name[160];
        if (radscore_model_feature_name(model, i, name, sizeof name, &len) == RADSCORE_STATUS_OK &&
            strstr(name, "_log-sigma-") != NULL) {
            EXPECT(RADSCORE_STATUS_OK,
                   radscore_model_feature_sequence(model, i, log_seq, sizeof log_seq, &len));
        }
    }
    for (i = 0; i < N * N * N; i++) {
        vox[i] = (uint16_t)(100 + (i * 37) % 50);
        lab[i] = 0;
    }
    im.voxels = vox;
    im.voxel_type = RADSCORE_VOXEL_U16;
    im.dims[0] = im.dims[1] = im.dims[2] = N;
    im.spacing[0] = im.spacing[1] = im.spacing[2] = 1.0;
    mk.labels = lab;
    mk.mask_type = RADSCORE_MASK_U8;
    mk.dims[0] = mk.dims[1] = mk.dims[2] = N;
    mk.label = 1;

    lab[3 + N * (3 + N * 3)] = 1; /* one voxel */
    EXPECT(RADSCORE_STATUS_ROI_SINGLE_VOXEL, radscore_scratch_len(model, seq, &im, &mk, &need));
    lab[4 + N * (3 + N * 3)] = 1; /* a line along x */
    lab[5 + N * (3 + N * 3)] = 1;
    EXPECT(RADSCORE_STATUS_ROI_TOO_FEW_DIMENSIONS,
           radscore_extract(model, seq, &im, &mk, scratch, 4096, features, n_features));
    lab[4 + N * (4 + N * 4)] = 1; /* now 3-D: fine for every sequence without LoG */
    lab[3 + N * (4 + N * 3)] = 1;
    EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len(model, seq, &im, &mk, &need));
    CHECK(need <= 4096);
    EXPECT(RADSCORE_STATUS_OK,
           radscore_extract(model, seq, &im, &mk, scratch, 4096, features, n_features));
    if (log_seq[0] != '\0') {
        /* sigma 3 mm on 0.5 mm voxels needs >= 7 voxels per axis; the image has 8 in x, y only */
        im.dims[2] = mk.dims[2] = 5;
        im.spacing[0] = im.spacing[1] = im.spacing[2] = 0.5;
        EXPECT(RADSCORE_STATUS_IMAGE_TOO_SMALL_FOR_FILTER,
               radscore_extract(model, log_seq, &im, &mk, scratch, 4096, features, n_features));
    } else {
        fprintf(stderr, "note: the model has no LoG feature; LoG size check not exercised\n");
        failures++;
    }
}

int main(int argc, char **argv) {
    size_t len;
    unsigned char *bytes, *st;
    const RadscoreModel *model = NULL;
    if (argc != 2) {
        fprintf(stderr, "usage: test_errors DIR\n");
        return 2;
    }
    model_errors(argv[1]);
    bytes = read_file(argv[1], "model.rsm", &len);
    st = storage_block();
    EXPECT(RADSCORE_STATUS_OK, radscore_model_load(st, radscore_model_size(), bytes, len, &model));
    free(bytes);
    if (model != NULL) {
        query_errors(model);
        extract_errors(argv[1], model);
        score_errors(model);
        roi_errors(model);
    }
    free(st);
    return finish();
}
