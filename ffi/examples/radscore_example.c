/* Minimal radscore consumer: load a model, extract each sequence's features from its image and
 * mask, score the nomogram.
 *
 *   radscore_example --demo DIR PATIENT
 *       the output of `radscore demo --out DIR`: DIR/model.rsm, the patient's clinical values from
 *       DIR/clinical.csv and, for each sequence SEQ of the model, DIR/images/PATIENT_SEQ.nrrd and
 *       DIR/images/PATIENT_SEQ_mask.nrrd
 *   radscore_example MODEL.rsm CLINICAL... -- (SEQ IMAGE.nrrd MASK.nrrd)...
 *   radscore_example MODEL.rsm CLINICAL... -- (SEQ IMAGE.raw MASK.raw DX DY DZ SX SY SZ)...
 *
 * NRRD files (attached header, encoding raw or gzip, 3-D; see read_nrrd) carry their geometry,
 * which is passed on (RadscoreImage2/RadscoreMask2), so a mask on another grid is refused. Raw
 * files are an int16 image and a uint8 mask (x fastest, native endianness) with the dims and the
 * spacing in mm on the command line. CLINICAL are the clinical values in model order. The C
 * standard library and zlib (gzip NRRD) are used; the library itself never allocates. */
#include "radscore.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    void *buf = NULL;
    long n;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            ((char *)buf)[n] = '\0'; /* so a header can be parsed as text */
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

/* ---- a small NRRD reader: what `radscore demo` and most tools write ---- */

/* A volume read from a NRRD file: the voxels (malloc'ed), their type and the geometry. */
typedef struct {
    void *data;
    size_t n;          /* voxels */
    size_t elem;       /* bytes per voxel */
    int is_float;      /* float or double */
    int is_signed;
    size_t dims[3];
    double spacing[3], origin[3], direction[9]; /* direction: ITK's row-major, columns = axes */
} Volume;

static int starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* NRRD type names -> element size, signedness, float. 0 if unknown. */
static size_t nrrd_type(const char *t, int *is_signed, int *is_float) {
    static const struct {
        const char *name;
        size_t size;
        int sign, flt;
    } types[] = {
        {"uchar", 1, 0, 0},          {"unsigned char", 1, 0, 0}, {"uint8", 1, 0, 0},
        {"uint8_t", 1, 0, 0},        {"signed char", 1, 1, 0},   {"int8", 1, 1, 0},
        {"int8_t", 1, 1, 0},         {"short", 2, 1, 0},         {"short int", 2, 1, 0},
        {"signed short", 2, 1, 0},   {"signed short int", 2, 1, 0}, {"int16", 2, 1, 0},
        {"int16_t", 2, 1, 0},        {"ushort", 2, 0, 0},        {"unsigned short", 2, 0, 0},
        {"unsigned short int", 2, 0, 0}, {"uint16", 2, 0, 0},    {"uint16_t", 2, 0, 0},
        {"int", 4, 1, 0},            {"signed int", 4, 1, 0},    {"int32", 4, 1, 0},
        {"int32_t", 4, 1, 0},        {"uint", 4, 0, 0},          {"unsigned int", 4, 0, 0},
        {"uint32", 4, 0, 0},         {"uint32_t", 4, 0, 0},      {"float", 4, 1, 1},
        {"double", 8, 1, 1},
    };
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(t, types[i].name) == 0) {
            *is_signed = types[i].sign;
            *is_float = types[i].flt;
            return types[i].size;
        }
    }
    return 0;
}

/* Parses "(a,b,c)" at *p; advances *p past it. */
static int parse_vector(const char **p, double v[3]) {
    char *end;
    int k;
    while (**p == ' ' || **p == '\t') {
        (*p)++;
    }
    if (**p != '(') {
        return 0;
    }
    (*p)++;
    for (k = 0; k < 3; k++) {
        v[k] = strtod(*p, &end);
        if (end == *p || !isfinite(v[k])) {
            return 0;
        }
        *p = end;
        while (**p == ' ') {
            (*p)++;
        }
        if (**p != (k < 2 ? ',' : ')')) {
            return 0;
        }
        (*p)++;
    }
    return 1;
}

/* Reads a 3-D NRRD file with an attached header, encoding raw or gzip; fields used: type,
 * dimension, sizes, endian, encoding, space directions (or spacings), space origin. Detached
 * data, line/byte skips and other encodings are refused with a message. Returns 1 on success. */
static int read_nrrd(const char *path, Volume *v) {
    size_t len = 0, a, need, have = 0;
    char *file = (char *)read_all(path, &len), *line, *next, *data = NULL;
    int dimension = 0, gzip = -1, big = 0, ok = 0, have_dirs = 0;
    memset(v, 0, sizeof *v);
    v->direction[0] = v->direction[4] = v->direction[8] = 1.0;
    v->spacing[0] = v->spacing[1] = v->spacing[2] = 1.0;
    if (file == NULL) {
        return 0;
    }
    if (!starts(file, "NRRD000")) {
        fprintf(stderr, "%s: not a NRRD file (expected magic NRRD000x)\n", path);
        goto out;
    }
    for (line = strchr(file, '\n'); line != NULL; line = next) {
        char *value;
        line++;
        next = strchr(line, '\n');
        if (next == NULL) {
            fprintf(stderr, "%s: header without the blank line before the data\n", path);
            goto out;
        }
        *next = '\0';
        if (next > line && next[-1] == '\r') {
            next[-1] = '\0';
        }
        if (*line == '\0') {
            data = next + 1; /* blank line: the data follow */
            break;
        }
        if (*line == '#' || (value = strstr(line, ": ")) == NULL) {
            continue; /* comments and key:=value pairs */
        }
        *value = '\0';
        value += 2;
        if (strcmp(line, "type") == 0) {
            v->elem = nrrd_type(value, &v->is_signed, &v->is_float);
            if (v->elem == 0) {
                fprintf(stderr, "%s: type \"%s\" is not supported\n", path, value);
                goto out;
            }
        } else if (strcmp(line, "dimension") == 0) {
            dimension = atoi(value);
        } else if (strcmp(line, "sizes") == 0) {
            char *p = value, *end;
            for (a = 0; a < 3; a++) {
                unsigned long d = strtoul(p, &end, 10);
                if (end == p || d == 0) {
                    fprintf(stderr, "%s: sizes \"%s\": expected three positive numbers\n", path,
                            value);
                    goto out;
                }
                v->dims[a] = (size_t)d;
                p = end;
            }
        } else if (strcmp(line, "endian") == 0) {
            big = strcmp(value, "big") == 0;
        } else if (strcmp(line, "encoding") == 0) {
            if (strcmp(value, "raw") == 0) {
                gzip = 0;
            } else if (strcmp(value, "gzip") == 0 || strcmp(value, "gz") == 0) {
                gzip = 1;
            } else {
                fprintf(stderr, "%s: encoding \"%s\" is not supported (raw or gzip)\n", path,
                        value);
                goto out;
            }
        } else if (strcmp(line, "space directions") == 0) {
            const char *p = value;
            for (a = 0; a < 3; a++) {
                double d[3], norm;
                size_t k;
                if (!parse_vector(&p, d) || (norm = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])) <= 0) {
                    fprintf(stderr, "%s: space directions \"%s\": expected three vectors\n", path,
                            value);
                    goto out;
                }
                v->spacing[a] = norm;
                for (k = 0; k < 3; k++) {
                    v->direction[3 * k + a] = d[k] / norm;
                }
            }
            have_dirs = 1;
        } else if (strcmp(line, "spacings") == 0 && !have_dirs) {
            char *p = value, *end;
            for (a = 0; a < 3; a++) {
                v->spacing[a] = strtod(p, &end);
                p = end;
            }
        } else if (strcmp(line, "space origin") == 0) {
            const char *p = value;
            if (!parse_vector(&p, v->origin)) {
                fprintf(stderr, "%s: space origin \"%s\": expected (x,y,z)\n", path, value);
                goto out;
            }
        } else if (strcmp(line, "data file") == 0 || strcmp(line, "datafile") == 0 ||
                   ((strcmp(line, "line skip") == 0 || strcmp(line, "byte skip") == 0) &&
                    atoi(value) != 0)) {
            fprintf(stderr, "%s: \"%s\" is not supported (attached data only)\n", path, line);
            goto out;
        }
    }
    if (data == NULL || dimension != 3 || v->elem == 0 || gzip < 0 || v->dims[0] == 0) {
        fprintf(stderr, "%s: expected a 3-D NRRD with type, sizes and encoding fields\n", path);
        goto out;
    }
    v->n = v->dims[0] * v->dims[1] * v->dims[2];
    if (v->n / v->dims[0] / v->dims[1] != v->dims[2] || v->n > ((size_t)-1) / 8) {
        fprintf(stderr, "%s: sizes too large\n", path);
        goto out;
    }
    need = v->n * v->elem;
    v->data = malloc(need ? need : 1);
    if (v->data == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        goto out;
    }
    have = len - (size_t)(data - file);
    if (!gzip) {
        if (have != need) {
            fprintf(stderr, "%s: %lu bytes of data, the sizes need %lu\n", path,
                    (unsigned long)have, (unsigned long)need);
            goto out;
        }
        memcpy(v->data, data, need);
    } else {
        z_stream z;
        int r;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 16) != Z_OK) { /* 15 + 16: gzip wrapper */
            fprintf(stderr, "%s: zlib init failed\n", path);
            goto out;
        }
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)have;
        z.next_out = (Bytef *)v->data;
        z.avail_out = (uInt)need;
        r = inflate(&z, Z_FINISH);
        inflateEnd(&z);
        if (have != (size_t)(uInt)have || need != (size_t)(uInt)need || r != Z_STREAM_END ||
            z.total_out != need) {
            fprintf(stderr, "%s: the gzip data do not decompress to the %lu bytes the sizes need\n",
                    path, (unsigned long)need);
            goto out;
        }
    }
    if (big && v->elem > 1) { /* to this machine's order if it is little-endian */
        const unsigned one = 1;
        if (*(const unsigned char *)&one == 1) {
            unsigned char *b = (unsigned char *)v->data;
            size_t i, k;
            for (i = 0; i < v->n; i++) {
                for (k = 0; k < v->elem / 2; k++) {
                    unsigned char t = b[i * v->elem + k];
                    b[i * v->elem + k] = b[i * v->elem + v->elem - 1 - k];
                    b[i * v->elem + v->elem - 1 - k] = t;
                }
            }
        }
    }
    ok = 1;
out:
    free(file);
    if (!ok) {
        free(v->data);
        v->data = NULL;
    }
    return ok;
}

/* The voxel type tag of an image volume; 8-bit images are widened to int16 in place. */
static int image_type(Volume *v, uint32_t *tag) {
    if (v->elem == 1) {
        int16_t *w = (int16_t *)malloc(v->n * sizeof *w);
        size_t i;
        if (w == NULL) {
            return 0;
        }
        for (i = 0; i < v->n; i++) {
            w[i] = v->is_signed ? (int16_t)((const signed char *)v->data)[i]
                                : (int16_t)((const unsigned char *)v->data)[i];
        }
        free(v->data);
        v->data = w;
        v->elem = 2;
        v->is_signed = 1;
    }
    *tag = v->is_float ? (v->elem == 4 ? RADSCORE_VOXEL_F32 : RADSCORE_VOXEL_F64)
           : v->elem == 2 ? (v->is_signed ? RADSCORE_VOXEL_I16 : RADSCORE_VOXEL_U16)
                          : RADSCORE_VOXEL_I32;
    return !(v->elem == 4 && !v->is_float && !v->is_signed); /* uint32 images: not supported */
}

/* The mask type tag: unsigned 8/16/32-bit labels (signed ones are read as unsigned). */
static int mask_type(const Volume *v, uint32_t *tag) {
    if (v->is_float || v->elem > 4) {
        return 0;
    }
    *tag = v->elem == 1 ? RADSCORE_MASK_U8 : v->elem == 2 ? RADSCORE_MASK_U16 : RADSCORE_MASK_U32;
    return 1;
}

/* Extracts sequence `seq` of the model from two NRRD files into `features`. */
static RadscoreStatus extract_nrrd(const RadscoreModel *model, const char *seq, const char *image_path,
                                   const char *mask_path, double *features, size_t n_features) {
    Volume vi, vm;
    RadscoreImage2 image;
    RadscoreMask2 mask;
    RadscoreStatus st = RADSCORE_STATUS_BAD_ARGUMENT;
    double *scratch = NULL;
    size_t need = 0;
    int ok_i = read_nrrd(image_path, &vi), ok_m = read_nrrd(mask_path, &vm);
    memset(&image, 0, sizeof image);
    memset(&mask, 0, sizeof mask);
    image.struct_size = sizeof image;
    mask.struct_size = sizeof mask;
    if (ok_i && ok_m && image_type(&vi, &image.voxel_type) && mask_type(&vm, &mask.mask_type)) {
        image.voxels = vi.data;
        image.voxels_len = vi.n;
        memcpy(image.dims, vi.dims, sizeof image.dims);
        memcpy(image.spacing, vi.spacing, sizeof image.spacing);
        memcpy(image.origin, vi.origin, sizeof image.origin);
        memcpy(image.direction, vi.direction, sizeof image.direction);
        mask.labels = vm.data;
        mask.labels_len = vm.n;
        mask.label = RADSCORE_LABEL_FROM_MODEL;
        memcpy(mask.dims, vm.dims, sizeof mask.dims);
        memcpy(mask.spacing, vm.spacing, sizeof mask.spacing);
        memcpy(mask.origin, vm.origin, sizeof mask.origin);
        memcpy(mask.direction, vm.direction, sizeof mask.direction);
        st = radscore_scratch_len2(model, seq, &image, &mask, &need);
        if (st == RADSCORE_STATUS_OK) {
            scratch = (double *)malloc((need ? need : 1) * sizeof *scratch);
            st = scratch == NULL ? RADSCORE_STATUS_NULL_POINTER
                                 : radscore_extract2(model, seq, &image, &mask, scratch, need,
                                                     features, n_features);
        }
        if (st == RADSCORE_STATUS_OK) {
            printf("%s: %lu doubles of scratch\n", seq, (unsigned long)need);
        }
    } else if (ok_i && ok_m) {
        fprintf(stderr, "%s: voxel or label type not supported\n", seq);
    }
    free(scratch);
    free(vi.data);
    free(vm.data);
    return st;
}

/* Extracts sequence `seq` from raw int16/uint8 files; dims and spacing as text. */
static RadscoreStatus extract_raw(const RadscoreModel *model, char **arg, double *features,
                                  size_t n_features) {
    RadscoreImage image;
    RadscoreMask mask;
    size_t ilen = 0, mlen = 0, need = 0, d;
    void *voxels = read_all(arg[1], &ilen), *labels = read_all(arg[2], &mlen);
    double *scratch = NULL;
    RadscoreStatus st = RADSCORE_STATUS_NULL_POINTER;
    for (d = 0; d < 3; d++) {
        image.dims[d] = (size_t)strtoul(arg[3 + d], NULL, 10);
        image.spacing[d] = strtod(arg[6 + d], NULL);
        mask.dims[d] = image.dims[d];
    }
    image.voxels = voxels;
    image.voxel_type = RADSCORE_VOXEL_I16;
    mask.labels = labels;
    mask.mask_type = RADSCORE_MASK_U8;
    mask.label = RADSCORE_LABEL_FROM_MODEL;
    if (voxels != NULL && labels != NULL &&
        ilen == 2 * image.dims[0] * image.dims[1] * image.dims[2] &&
        mlen == mask.dims[0] * mask.dims[1] * mask.dims[2]) {
        st = radscore_scratch_len(model, arg[0], &image, &mask, &need);
        if (st == RADSCORE_STATUS_OK) {
            scratch = (double *)malloc((need ? need : 1) * sizeof *scratch);
            st = scratch == NULL ? RADSCORE_STATUS_NULL_POINTER
                                 : radscore_extract(model, arg[0], &image, &mask, scratch, need,
                                                    features, n_features);
        }
        if (st == RADSCORE_STATUS_OK) {
            printf("%s: %lu doubles of scratch\n", arg[0], (unsigned long)need);
        }
    } else {
        fprintf(stderr, "%s: file sizes do not match the dims\n", arg[0]);
    }
    free(scratch);
    free(voxels);
    free(labels);
    return st;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The clinical values of `patient` from a demo's clinical.csv (plain comma-separated numbers,
 * first column the patient id), in the model's predictor order. Returns 1 on success. */
static int demo_clinical(const char *path, const char *patient, const RadscoreModel *model,
                         size_t n_clinical, double *clinical) {
    size_t len = 0, j;
    char *text = (char *)read_all(path, &len), *header, *row = NULL, *p;
    int ok = 0;
    if (text == NULL) {
        return 0;
    }
    header = text;
    for (p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
        size_t n = strlen(patient);
        *p = '\0';
        if (strncmp(p + 1, patient, n) == 0 && p[1 + n] == ',') {
            row = p + 1;
        }
    }
    if (row == NULL) {
        fprintf(stderr, "%s: no row for patient %s\n", path, patient);
        goto out;
    }
    if ((p = strchr(row, '\n')) != NULL) {
        *p = '\0';
    }
    for (j = 0; j < n_clinical; j++) {
        char name[64];
        size_t nlen, col = 0, c;
        const char *h = header, *cell = row;
        if (radscore_model_predictor_name(model, j + 1, name, sizeof name, &nlen) !=
            RADSCORE_STATUS_OK) {
            goto out;
        }
        /* the column of `name` in the header */
        while (h != NULL && !(strncmp(h, name, nlen) == 0 && (h[nlen] == ',' || h[nlen] == '\0' ||
                                                             h[nlen] == '\r'))) {
            h = strchr(h, ',');
            h = h != NULL ? h + 1 : NULL;
            col++;
        }
        for (c = 0; h != NULL && c < col && cell != NULL; c++) {
            cell = strchr(cell, ',');
            cell = cell != NULL ? cell + 1 : NULL;
        }
        if (h == NULL || cell == NULL) {
            fprintf(stderr, "%s: no column %s for patient %s\n", path, name, patient);
            goto out;
        }
        clinical[j] = strtod(cell, NULL);
    }
    ok = 1;
out:
    free(text);
    return ok;
}

int main(int argc, char **argv) {
    size_t len, n_features, n_clinical, n_predictors, n_seq, i;
    int a, rc = 1, sep = -1, demo = argc == 4 && strcmp(argv[1], "--demo") == 0;
    void *storage = NULL, *artifact = NULL;
    const RadscoreModel *model;
    double *features = NULL, *clinical = NULL;
    char path[4096], image_path[4096], seq[64], id[80], created[32];
    RadscoreModelInfo info;
    RadscoreScore score;
    RadscoreStatus st;

    if ((radscore_abi_version() >> 16) != RADSCORE_ABI_MAJOR) {
        fprintf(stderr, "library ABI %u does not match header ABI %u\n",
                (unsigned)(radscore_abi_version() >> 16), (unsigned)RADSCORE_ABI_MAJOR);
        return 1;
    }
    for (a = 1; a < argc && !demo; a++) {
        if (strcmp(argv[a], "--") == 0) {
            sep = a;
            break;
        }
    }
    if (sep >= 0) { /* sequences: SEQ IMAGE.nrrd MASK.nrrd, or SEQ IMAGE MASK + 6 numbers */
        for (a = sep + 1; a + 2 < argc; a += ends_with(argv[a + 1], ".nrrd") ? 3 : 9) {
        }
    }
    if (!demo && (argc < 2 || sep < 0 || a != argc)) {
        fprintf(stderr,
                "usage: %s --demo DIR PATIENT\n"
                "       %s MODEL.rsm CLINICAL... -- (SEQ IMAGE.nrrd MASK.nrrd)...\n"
                "       %s MODEL.rsm CLINICAL... -- (SEQ IMAGE.raw MASK.raw DX DY DZ SX SY SZ)...\n",
                argv[0], argv[0], argv[0]);
        return 2;
    }

    /* 1. load the model into our own storage (malloc is suitably aligned) */
    snprintf(path, sizeof path, "%s%s", demo ? argv[2] : argv[1], demo ? "/model.rsm" : "");
    artifact = read_all(path, &len);
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
    /* what an audit log records about the model */
    info.struct_size = sizeof info;
    if (radscore_model_info(model, &info) != RADSCORE_STATUS_OK ||
        radscore_model_id(model, id, sizeof id, &len) != RADSCORE_STATUS_OK ||
        radscore_model_created(model, created, sizeof created, &len) != RADSCORE_STATUS_OK) {
        fprintf(stderr, "model metadata unavailable\n");
        goto out;
    }
    printf("model %s  created %s  crc32 %08lx  format %u  AUC train %.3f test %.3f  threshold %g\n",
           id, created, (unsigned long)info.crc32, (unsigned)info.format_version, info.auc_train,
           info.auc_test, info.threshold);
    radscore_model_feature_count(model, &n_features);
    radscore_model_clinical_count(model, &n_clinical);
    radscore_model_predictor_count(model, &n_predictors);
    radscore_model_sequence_count(model, &n_seq);
    features = (double *)malloc(n_features * sizeof *features);
    clinical = (double *)malloc((n_clinical + 1) * sizeof *clinical);
    if (features == NULL || clinical == NULL) {
        goto out;
    }
    if (demo) {
        snprintf(path, sizeof path, "%s/clinical.csv", argv[2]);
        if (!demo_clinical(path, argv[3], model, n_clinical, clinical)) {
            goto out;
        }
    } else if ((size_t)(sep - 2) != n_clinical) {
        fprintf(stderr, "the model needs %lu clinical values\n", (unsigned long)n_clinical);
        goto out;
    } else {
        for (i = 0; i < n_clinical; i++) {
            clinical[i] = strtod(argv[2 + i], NULL);
        }
    }

    /* 2. extract every sequence: the model's, from the demo's files, or those given */
    if (demo) {
        for (i = 0; i < n_seq; i++) {
            if (radscore_model_sequence_name(model, i, seq, sizeof seq, &len) != RADSCORE_STATUS_OK) {
                goto out;
            }
            snprintf(image_path, sizeof image_path, "%s/images/%s_%s.nrrd", argv[2], argv[3], seq);
            snprintf(path, sizeof path, "%s/images/%s_%s_mask.nrrd", argv[2], argv[3], seq);
            st = extract_nrrd(model, seq, image_path, path, features, n_features);
            if (st != RADSCORE_STATUS_OK) {
                rc = fail(seq, st);
                goto out;
            }
        }
    } else {
        for (a = sep + 1; a + 2 < argc; a += ends_with(argv[a + 1], ".nrrd") ? 3 : 9) {
            st = ends_with(argv[a + 1], ".nrrd")
                     ? extract_nrrd(model, argv[a], argv[a + 1], argv[a + 2], features, n_features)
                     : extract_raw(model, argv + a, features, n_features);
            if (st != RADSCORE_STATUS_OK) {
                rc = fail(argv[a], st);
                goto out;
            }
        }
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
    /* %.17g reads back to the same double: comparable with the CLI's test_scores.csv */
    printf("exact probability %.17g total_points %.17g\n", score.probability, score.total_points);
    rc = 0;
out:
    free(artifact);
    free(features);
    free(clinical);
    free(storage);
    return rc;
}
