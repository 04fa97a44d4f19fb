// The start-up limit bpkit is measured against (Benchmarks/startup.sh): a C
// program linked with the same libhdf5.a that opens the same bpkit model file,
// reads the same weights, and does the same arithmetic on one CSV row as
// `bpkit infer MODEL --input ROW.csv --ignore label --argmax`.
//
// Usage: startup_limit MODEL.h5 ROW.csv ACTIVATION...
// One activation per dense layer of /weights, in the layers' order
// (relu, tanh, linear or softmax); prints the predicted class.
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *read_dataset(hid_t file, const char *path, hsize_t dims[2], int *rank) {
    hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
    if (dataset < 0) return NULL;
    hid_t space = H5Dget_space(dataset);
    *rank = H5Sget_simple_extent_dims(space, dims, NULL);
    hsize_t count = dims[0] * (*rank == 2 ? dims[1] : 1);
    float *values = malloc(count * sizeof(float));
    H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Sclose(space);
    H5Dclose(dataset);
    return values;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: startup_limit MODEL.h5 ROW.csv ACTIVATION...\n");
        return 2;
    }
    // The row: the header names the columns; "label" is left out.
    FILE *csv = fopen(argv[2], "r");
    if (!csv) return 4;
    char header[65536], row[65536];
    if (!fgets(header, sizeof header, csv) || !fgets(row, sizeof row, csv)) return 3;
    fclose(csv);
    float input[4096];
    int features = 0;
    char *name_save, *value_save;
    char *name = strtok_r(header, ",\n", &name_save);
    char *value = strtok_r(row, ",\n", &value_save);
    while (name && value) {
        if (strcmp(name, "label") != 0) input[features++] = strtof(value, NULL);
        name = strtok_r(NULL, ",\n", &name_save);
        value = strtok_r(NULL, ",\n", &value_save);
    }
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return 4;
    float *x = malloc(features * sizeof(float));
    memcpy(x, input, features * sizeof(float));
    int width = features;
    for (int layer = 0; layer < argc - 3; layer++) {
        char path[256];
        hsize_t kernel_dims[2], bias_dims[2];
        int rank;
        snprintf(path, sizeof path, "/weights/dense_%d/kernel", layer + 1);
        float *kernel = read_dataset(file, path, kernel_dims, &rank);
        snprintf(path, sizeof path, "/weights/dense_%d/bias", layer + 1);
        float *bias = read_dataset(file, path, bias_dims, &rank);
        if (!kernel || !bias || (int)kernel_dims[0] != width) return 3;
        int units = (int)kernel_dims[1];
        float *y = malloc(units * sizeof(float));
        // y = f(x W + b), W stored [inputs, units] as bpkit stores it.
        for (int j = 0; j < units; j++) {
            float sum = bias[j];
            for (int i = 0; i < width; i++) sum += x[i] * kernel[i * units + j];
            y[j] = sum;
        }
        const char *activation = argv[3 + layer];
        if (strcmp(activation, "relu") == 0) {
            for (int j = 0; j < units; j++) y[j] = y[j] > 0 ? y[j] : 0;
        } else if (strcmp(activation, "tanh") == 0) {
            for (int j = 0; j < units; j++) y[j] = tanhf(y[j]);
        } else if (strcmp(activation, "softmax") == 0) {
            float top = y[0], total = 0;
            for (int j = 1; j < units; j++) top = y[j] > top ? y[j] : top;
            for (int j = 0; j < units; j++) total += (y[j] = expf(y[j] - top));
            for (int j = 0; j < units; j++) y[j] /= total;
        }
        free(kernel);
        free(bias);
        free(x);
        x = y;
        width = units;
    }
    H5Fclose(file);
    int best = 0;
    for (int j = 1; j < width; j++) best = x[j] > x[best] ? j : best;
    printf("%d\n", best);
    free(x);
    return 0;
}
