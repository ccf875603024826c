/* Version-2 descriptors and audit getters from C, under valgrind (ffi/tests/c_harness.rs):
 * radscore_extract2 gives radscore_extract's bits; an image buffer one voxel shorter than its
 * dims (a malloc'ed block of exactly that size, so valgrind sees any read past it) is refused
 * with IMAGE_LENGTH_MISMATCH; a mask shifted by 1 mm is GEOMETRY_MISMATCH; wrong struct sizes are
 * BAD_ARGUMENT; the metadata getters follow the size-query convention. Prints "crc32 <hex>" and
 * "describe_lines <n>" for the harness. Usage: test_v2 DIR */
#include "common.h"

static size_t elem_size(uint32_t type) {
    return type == RADSCORE_VOXEL_I16 || type == RADSCORE_VOXEL_U16 ? 2
           : type == RADSCORE_VOXEL_F64                             ? 8
                                                                    : 4;
}

static size_t mask_elem(uint32_t type) {
    return type == RADSCORE_MASK_U8 ? 1 : type == RADSCORE_MASK_U16 ? 2 : 4;
}

int main(int argc, char **argv) {
    unsigned char *bytes;
    size_t len, n_features = 0, n_seq = 0, k, i, need1, need2, n;
    void *storage;
    const RadscoreModel *model = NULL;
    double *f1, *f2, *scratch;
    RadscoreModelInfo info;
    RadscoreFeatureInfo finfo;
    char *text;

    if (argc != 2) {
        fprintf(stderr, "usage: test_v2 DIR\n");
        return 2;
    }
    bytes = read_file(argv[1], "model.rsm", &len);
    storage = malloc(radscore_model_size());
    if (storage == NULL) {
        return 2;
    }
    EXPECT(RADSCORE_STATUS_OK, radscore_model_load(storage, radscore_model_size(), bytes, len, &model));
    free(bytes);

    /* ---- audit getters ---- */
    memset(&info, 0, sizeof info);
    EXPECT(RADSCORE_STATUS_BAD_ARGUMENT, radscore_model_info(model, &info));
    info.struct_size = sizeof info;
    EXPECT(RADSCORE_STATUS_NULL_POINTER, radscore_model_info(model, NULL));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_info(model, &info));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_sequence_count(model, &n_seq));
    CHECK(info.n_features == n_features && info.n_sequences == n_seq);
    CHECK(info.artifact_bytes == len && info.signed_artifact == 0);
    CHECK(info.threshold > 0.0 && info.threshold < 1.0);
    printf("crc32 %08lx\n", (unsigned long)info.crc32);
    finfo.struct_size = sizeof finfo;
    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_info(model, 0, &finfo));
    CHECK(finfo.bin_width > 0.0 && finfo.computable == 1 && finfo.sd > 0.0);
    EXPECT(RADSCORE_STATUS_INDEX_OUT_OF_RANGE, radscore_model_feature_info(model, n_features, &finfo));
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, radscore_model_describe(model, NULL, 0, &len));
    text = (char *)malloc(len + 1);
    if (text == NULL) {
        return 2;
    }
    memset(text, 'x', len + 1);
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, radscore_model_describe(model, text, len, &n));
    CHECK(n == len && text[0] == 'x'); /* truncation reported, nothing written */
    EXPECT(RADSCORE_STATUS_OK, radscore_model_describe(model, text, len + 1, &n));
    CHECK(n == len && strlen(text) == len && strncmp(text, "model_id=", 9) == 0);
    for (i = 0, n = 0; i < len; i++) {
        n += text[i] == '\n';
    }
    printf("describe_lines %lu\n", (unsigned long)n);
    free(text);
    {
        char created[32], recipe[256];
        EXPECT(RADSCORE_STATUS_OK, radscore_model_created(model, created, sizeof created, &len));
        CHECK(len == 20 && created[4] == '-' && created[10] == 'T' && created[19] == 'Z');
        EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_recipe(model, 0, recipe, sizeof recipe, &len));
        CHECK(strncmp(recipe, "sequence=", 9) == 0 && strstr(recipe, " binWidth=") != NULL);
        EXPECT(RADSCORE_STATUS_OK, radscore_model_id(model, recipe, sizeof recipe, &len));
        EXPECT(RADSCORE_STATUS_OK,
               radscore_model_trainer_version(model, recipe, sizeof recipe, &len));
    }

    /* ---- version-2 extraction ---- */
    f1 = (double *)malloc(n_features * sizeof *f1);
    f2 = (double *)malloc(n_features * sizeof *f2);
    if (f1 == NULL || f2 == NULL) {
        return 2;
    }
    for (k = 0; k < n_seq; k++) {
        char seq[64], img_name[80], msk_name[80];
        RawVolume img, msk;
        RadscoreImage im;
        RadscoreMask mk;
        RadscoreImage2 im2;
        RadscoreMask2 mk2, shifted;
        size_t nvox;
        void *short_buf;
        EXPECT(RADSCORE_STATUS_OK, radscore_model_sequence_name(model, k, seq, sizeof seq, &len));
        sprintf(img_name, "%s.img", seq);
        sprintf(msk_name, "%s.msk", seq);
        read_volume(argv[1], img_name, &img);
        read_volume(argv[1], msk_name, &msk);
        im = image_of(&img);
        mk = mask_of(&msk, msk.label);
        nvox = img.dims[0] * img.dims[1] * img.dims[2];
        memset(&im2, 0, sizeof im2);
        memset(&mk2, 0, sizeof mk2);
        im2.struct_size = sizeof im2;
        im2.voxels = img.data;
        im2.voxels_len = nvox;
        im2.voxel_type = img.type;
        mk2.struct_size = sizeof mk2;
        mk2.labels = msk.data;
        mk2.labels_len = nvox;
        mk2.mask_type = msk.type;
        mk2.label = msk.label;
        for (i = 0; i < 3; i++) {
            im2.dims[i] = mk2.dims[i] = img.dims[i];
            im2.spacing[i] = mk2.spacing[i] = img.spacing[i];
            im2.origin[i] = mk2.origin[i] = 10.0 * (double)i - 3.5;
            im2.direction[4 * i] = mk2.direction[4 * i] = 1.0;
        }
        EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len(model, seq, &im, &mk, &need1));
        EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len2(model, seq, &im2, &mk2, &need2));
        CHECK(need1 == need2);
        scratch = (double *)malloc((need1 ? need1 : 1) * sizeof *scratch);
        if (scratch == NULL) {
            return 2;
        }
        EXPECT(RADSCORE_STATUS_OK,
               radscore_extract(model, seq, &im, &mk, scratch, need1, f1, n_features));
        EXPECT(RADSCORE_STATUS_OK,
               radscore_extract2(model, seq, &im2, &mk2, scratch, need1, f2, n_features));

        /* a buffer one voxel short of the dims, in a block of exactly that size */
        short_buf = malloc((nvox - 1) * elem_size(img.type));
        if (short_buf == NULL) {
            return 2;
        }
        memcpy(short_buf, img.data, (nvox - 1) * elem_size(img.type));
        im2.voxels = short_buf;
        im2.voxels_len = nvox - 1;
        EXPECT(RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH,
               radscore_scratch_len2(model, seq, &im2, &mk2, &need2));
        EXPECT(RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH,
               radscore_extract2(model, seq, &im2, &mk2, scratch, need1, f2, n_features));
        free(short_buf);
        im2.voxels = img.data;
        im2.voxels_len = nvox;
        short_buf = malloc((nvox - 1) * mask_elem(msk.type));
        if (short_buf == NULL) {
            return 2;
        }
        memcpy(short_buf, msk.data, (nvox - 1) * mask_elem(msk.type));
        shifted = mk2;
        shifted.labels = short_buf;
        shifted.labels_len = nvox - 1;
        EXPECT(RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH,
               radscore_extract2(model, seq, &im2, &shifted, scratch, need1, f2, n_features));
        free(short_buf);

        /* another grid with the same dims */
        shifted = mk2;
        shifted.origin[2] += 1.0;
        EXPECT(RADSCORE_STATUS_GEOMETRY_MISMATCH,
               radscore_extract2(model, seq, &im2, &shifted, scratch, need1, f2, n_features));
        shifted = mk2;
        shifted.struct_size = sizeof(RadscoreMask);
        EXPECT(RADSCORE_STATUS_BAD_ARGUMENT,
               radscore_scratch_len2(model, seq, &im2, &shifted, &need2));
        EXPECT(RADSCORE_STATUS_NULL_POINTER,
               radscore_scratch_len2(model, seq, NULL, &mk2, &need2));
        free(scratch);
        free(img.file);
        free(msk.file);
    }
    for (i = 0; i < n_features; i++) {
        CHECK(bits_of(f1[i]) == bits_of(f2[i]));
    }
    printf("v2_features %lu\n", (unsigned long)n_features);
    free(f1);
    free(f2);
    free(storage);
    return finish();
}
