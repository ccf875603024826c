/* Definitions for common.h (compiled into every C test). */
#include "common.h"

int failures = 0;

int finish(void) {
    if (failures != 0) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}

unsigned char *read_file(const char *dir, const char *name, size_t *len) {
    char path[1024];
    FILE *f;
    unsigned char *buf;
    long n;
    if (strlen(dir) + strlen(name) + 2 > sizeof path) {
        fprintf(stderr, "path too long\n");
        exit(2);
    }
    sprintf(path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = (unsigned char *)malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void read_volume(const char *dir, const char *name, RawVolume *v) {
    size_t len, i;
    uint64_t d;
    v->file = read_file(dir, name, &len);
    if (len < 64 || memcmp(v->file, "RSRAWVOL", 8) != 0) {
        fprintf(stderr, "%s: not a raw volume\n", name);
        exit(2);
    }
    memcpy(&v->type, v->file + 8, 4);
    memcpy(&v->label, v->file + 12, 4);
    for (i = 0; i < 3; i++) {
        memcpy(&d, v->file + 16 + 8 * i, 8);
        v->dims[i] = (size_t)d;
        memcpy(&v->spacing[i], v->file + 40 + 8 * i, 8);
    }
    v->data = v->file + 64; /* malloc alignment + 64: aligned for every voxel type */
}

RadscoreImage image_of(const RawVolume *v) {
    RadscoreImage im;
    im.voxels = v->data;
    im.voxel_type = v->type;
    memcpy(im.dims, v->dims, sizeof im.dims);
    memcpy(im.spacing, v->spacing, sizeof im.spacing);
    return im;
}

RadscoreMask mask_of(const RawVolume *v, uint32_t label) {
    RadscoreMask m;
    m.labels = v->data;
    m.mask_type = v->type;
    memcpy(m.dims, v->dims, sizeof m.dims);
    m.label = label;
    return m;
}

unsigned long long bits_of(double x) {
    unsigned long long b;
    memcpy(&b, &x, sizeof b);
    return b;
}

