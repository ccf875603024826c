/* Minimal radscore consumer: load a model, extract each sequence's features from raw volumes,
 * score the nomogram.
 *
 *   radscore_example MODEL.rsm CLINICAL... -- SEQ IMAGE.raw MASK.raw DX DY DZ SX SY SZ ...
 *
 * Each sequence is given as its name, a raw int16 image and a raw uint8 mask (x fastest, native
 * endianness), the dims and the spacing in mm; CLINICAL are the clinical values in model order.
 * Only the C standard library is used; the library itself never allocates. */
#include "radscore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    void *buf = NULL;
    long n;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    if (buf == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
    }
    return buf;
}

static int fail(const char *what, RadscoreStatus st) {
    fprintf(stderr, "%s: %s (status %u)\n", what, radscore_status_message(st), (unsigned)st);
    return 1;
}

int main(int argc, char **argv) {
    size_t len, n_features, n_clinical, n_predictors, i;
    int a, rc = 1, sep = -1;
    void *storage = NULL, *artifact = NULL;
    const RadscoreModel *model;
    double *features = NULL, *clinical = NULL;
    RadscoreScore score;
    RadscoreStatus st;

    if ((radscore_abi_version() >> 16) != RADSCORE_ABI_MAJOR) {
        fprintf(stderr, "library ABI %u does not match header ABI %u\n",
                (unsigned)(radscore_abi_version() >> 16), (unsigned)RADSCORE_ABI_MAJOR);
        return 1;
    }
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--") == 0) {
            sep = a;
            break;
        }
    }
    if (argc < 2 || sep < 0 || (argc - sep - 1) % 9 != 0) {
        fprintf(stderr, "usage: %s MODEL.rsm CLINICAL... -- (SEQ IMAGE MASK DX DY DZ SX SY SZ)...\n",
                argv[0]);
        return 2;
    }

    /* 1. load the model into our own storage (malloc is suitably aligned) */
    artifact = read_all(argv[1], &len);
    storage = malloc(radscore_model_size());
    if (artifact == NULL || storage == NULL) {
        goto out;
    }
    st = radscore_model_load(storage, radscore_model_size(), (const uint8_t *)artifact, len, &model);
    free(artifact); /* the model keeps no pointer into it */
    artifact = NULL;
    if (st != RADSCORE_STATUS_OK) {
        rc = fail("load", st);
        goto out;
    }
    radscore_model_feature_count(model, &n_features);
    radscore_model_clinical_count(model, &n_clinical);
    radscore_model_predictor_count(model, &n_predictors);
    if ((size_t)(sep - 2) != n_clinical) {
        fprintf(stderr, "the model needs %lu clinical values\n", (unsigned long)n_clinical);
        goto out;
    }
    features = (double *)malloc(n_features * sizeof *features);
    clinical = (double *)malloc((n_clinical + 1) * sizeof *clinical);
    if (features == NULL || clinical == NULL) {
        goto out;
    }
    for (i = 0; i < n_clinical; i++) {
        clinical[i] = strtod(argv[2 + i], NULL);
    }

    /* 2. extract every sequence given on the command line */
    for (a = sep + 1; a + 8 < argc; a += 9) {
        RadscoreImage image;
        RadscoreMask mask;
        size_t ilen = 0, mlen = 0, need = 0, d;
        void *voxels = read_all(argv[a + 1], &ilen), *labels = read_all(argv[a + 2], &mlen);
        double *scratch = NULL;
        for (d = 0; d < 3; d++) {
            image.dims[d] = (size_t)strtoul(argv[a + 3 + d], NULL, 10);
            image.spacing[d] = strtod(argv[a + 6 + d], NULL);
            mask.dims[d] = image.dims[d];
        }
        image.voxels = voxels;
        image.voxel_type = RADSCORE_VOXEL_I16;
        mask.labels = labels;
        mask.mask_type = RADSCORE_MASK_U8;
        mask.label = RADSCORE_LABEL_FROM_MODEL;
        st = RADSCORE_STATUS_NULL_POINTER;
        if (voxels != NULL && labels != NULL &&
            ilen == 2 * image.dims[0] * image.dims[1] * image.dims[2] &&
            mlen == mask.dims[0] * mask.dims[1] * mask.dims[2]) {
            st = radscore_scratch_len(model, argv[a], &image, &mask, &need);
            if (st == RADSCORE_STATUS_OK) {
                scratch = (double *)malloc((need ? need : 1) * sizeof *scratch);
                st = scratch == NULL ? RADSCORE_STATUS_NULL_POINTER
                                     : radscore_extract(model, argv[a], &image, &mask, scratch,
                                                        need, features, n_features);
            }
        } else {
            fprintf(stderr, "%s: file sizes do not match the dims\n", argv[a]);
        }
        free(scratch);
        free(voxels);
        free(labels);
        if (st != RADSCORE_STATUS_OK) {
            rc = fail(argv[a], st);
            goto out;
        }
        printf("%s: %lu doubles of scratch\n", argv[a], (unsigned long)need);
    }

    /* 3. score */
    st = radscore_score(model, features, n_features, clinical, n_clinical, &score);
    if (st != RADSCORE_STATUS_OK) {
        rc = fail("score", st);
        goto out;
    }
    for (i = 0; i < n_features; i++) {
        char name[160];
        size_t nlen;
        if (radscore_model_feature_name(model, i, name, sizeof name, &nlen) == RADSCORE_STATUS_OK) {
            printf("%-60s %.17g\n", name, features[i]);
        }
    }
    for (i = 0; i < score.n_points; i++) {
        char name[64];
        size_t nlen;
        if (radscore_model_predictor_name(model, i, name, sizeof name, &nlen) == RADSCORE_STATUS_OK) {
            printf("points %-20s %.3f\n", name, score.points[i]);
        }
    }
    printf("radscore %.6f  probability %.6f  class %u  total points %.3f\n", score.radscore,
           score.probability, (unsigned)score.predicted_class, score.total_points);
    rc = 0;
out:
    free(artifact);
    free(features);
    free(clinical);
    free(storage);
    return rc;
}
