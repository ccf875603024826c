/* Happy path of the radscore ABI on the reference volumes prepared by ffi/tests/c_harness.rs:
 * load the model, enumerate its sequences, size scratch, extract every sequence, score.
 * Prints every number as an IEEE-754 bit pattern; the harness compares them with what the
 * Rust core API computes from the same inputs. Usage: test_model DIR */
#include "common.h"

static char *name_of(RadscoreStatus (*fn)(const RadscoreModel *, size_t, char *, size_t, size_t *),
                     const RadscoreModel *model, size_t i) {
    size_t len = 0;
    char *buf;
    /* size query first, then the real call */
    EXPECT(RADSCORE_STATUS_OUTPUT_TOO_SMALL, fn(model, i, NULL, 0, &len));
    buf = (char *)malloc(len + 1);
    if (buf == NULL) {
        exit(2);
    }
    EXPECT(RADSCORE_STATUS_OK, fn(model, i, buf, len + 1, &len));
    CHECK(strlen(buf) == len);
    return buf;
}

int main(int argc, char **argv) {
    const char *dir;
    unsigned char *bytes;
    size_t len, n_features = 0, n_clinical = 0, n_predictors = 0, n_sequences = 0, i, k;
    void *storage;
    const RadscoreModel *model = NULL;
    double *features, *clinical;
    RadscoreScore score;
    uint32_t kind;

    if (argc != 2) {
        fprintf(stderr, "usage: test_model DIR\n");
        return 2;
    }
    dir = argv[1];
    bytes = read_file(dir, "model.rsm", &len);
    CHECK(radscore_model_size() > 0);
    CHECK(radscore_model_align() > 0 && radscore_model_align() <= 16);
    storage = malloc(radscore_model_size());
    if (storage == NULL) {
        return 2;
    }
    EXPECT(RADSCORE_STATUS_OK,
           radscore_model_load(storage, radscore_model_size(), bytes, len, &model));
    CHECK(model == (const RadscoreModel *)storage);
    free(bytes); /* the model keeps no pointer into the artifact */

    EXPECT(RADSCORE_STATUS_OK, radscore_model_feature_count(model, &n_features));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_clinical_count(model, &n_clinical));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_predictor_count(model, &n_predictors));
    EXPECT(RADSCORE_STATUS_OK, radscore_model_sequence_count(model, &n_sequences));
    CHECK(n_predictors == n_clinical + 1);
    CHECK(n_features >= 1 && n_features <= RADSCORE_MAX_FEATURES);
    printf("counts %lu %lu %lu %lu\n", (unsigned long)n_features, (unsigned long)n_clinical,
           (unsigned long)n_predictors, (unsigned long)n_sequences);
    for (i = 0; i < n_features; i++) {
        char *name = name_of(radscore_model_feature_name, model, i);
        char *seq = name_of(radscore_model_feature_sequence, model, i);
        printf("feature_name %lu %s %s\n", (unsigned long)i, seq, name);
        free(name);
        free(seq);
    }
    for (i = 0; i < n_predictors; i++) {
        char *name = name_of(radscore_model_predictor_name, model, i);
        char *unit = name_of(radscore_model_predictor_unit, model, i);
        EXPECT(RADSCORE_STATUS_OK, radscore_model_predictor_kind(model, i, &kind));
        printf("predictor %lu %u %s [%s]\n", (unsigned long)i, (unsigned)kind, name, unit);
        free(name);
        free(unit);
    }

    features = (double *)malloc(n_features * sizeof *features);
    clinical = (double *)malloc((n_clinical + 1) * sizeof *clinical);
    if (features == NULL || clinical == NULL) {
        return 2;
    }
    for (i = 0; i < n_features; i++) {
        features[i] = -12345.0; /* sentinel: every entry must be overwritten */
    }
    for (k = 0; k < n_sequences; k++) {
        char *seq = name_of(radscore_model_sequence_name, model, k);
        char img_name[128], msk_name[128];
        RawVolume img, msk;
        RadscoreImage im;
        RadscoreMask mk;
        size_t need = 0;
        double *scratch;
        if (strlen(seq) > 100) {
            return 2;
        }
        sprintf(img_name, "%s.img", seq);
        sprintf(msk_name, "%s.msk", seq);
        read_volume(dir, img_name, &img);
        read_volume(dir, msk_name, &msk);
        im = image_of(&img);
        mk = mask_of(&msk, msk.label);
        EXPECT(RADSCORE_STATUS_OK, radscore_scratch_len(model, seq, &im, &mk, &need));
        CHECK(need > 0);
        {
            size_t bound = 0;
            EXPECT(RADSCORE_STATUS_OK,
                   radscore_scratch_len_bound(model, seq, im.dims, im.dims, &bound));
            CHECK(bound >= need);
        }
        printf("scratch %s %lu\n", seq, (unsigned long)need);
        /* exactly the reported size: valgrind catches any access beyond it */
        scratch = (double *)malloc(need * sizeof *scratch);
        if (scratch == NULL) {
            return 2;
        }
        EXPECT(RADSCORE_STATUS_OK,
               radscore_extract(model, seq, &im, &mk, scratch, need, features, n_features));
        /* one element less must be refused, leaving the features untouched */
        if (need > 1) {
            double before = features[0];
            EXPECT(RADSCORE_STATUS_SCRATCH_TOO_SMALL,
                   radscore_extract(model, seq, &im, &mk, scratch, need - 1, features,
                                    n_features));
            CHECK(bits_of(before) == bits_of(features[0]));
        }
        free(scratch);
        free(seq);
        free(img.file);
        free(msk.file);
    }
    for (i = 0; i < n_features; i++) {
        CHECK(features[i] != -12345.0);
        printf("value %lu %016llx\n", (unsigned long)i, bits_of(features[i]));
    }

    bytes = read_file(dir, "clinical.bin", &len);
    CHECK(len == n_clinical * sizeof(double));
    memcpy(clinical, bytes, len);
    free(bytes);
    EXPECT(RADSCORE_STATUS_OK,
           radscore_score(model, features, n_features, clinical, n_clinical, &score));
    CHECK(score.n_points == n_predictors);
    CHECK(score.probability >= 0.0 && score.probability <= 1.0);
    CHECK(score.predicted_class == 0 || score.predicted_class == 1);
    printf("radscore %016llx\n", bits_of(score.radscore));
    printf("linear_predictor %016llx\n", bits_of(score.linear_predictor));
    printf("probability %016llx\n", bits_of(score.probability));
    printf("total_points %016llx\n", bits_of(score.total_points));
    printf("class %u\n", (unsigned)score.predicted_class);
    for (i = 0; i < RADSCORE_MAX_PREDICTORS; i++) {
        if (i < score.n_points) {
            printf("points %lu %016llx\n", (unsigned long)i, bits_of(score.points[i]));
        } else {
            CHECK(score.points[i] == 0.0);
        }
    }
    printf("readable probability=%.6f radscore=%.6f total_points=%.3f\n", score.probability,
           score.radscore, score.total_points);

    free(features);
    free(clinical);
    free(storage);
    return finish();
}
