/* test-mutinfo.c -- CUnit tests of section 23.5 (mutual information).
 * Tangled from chapters/23-5-mutinfo.nw and chapters/p5-mutinfo.nw.  Expected values: closed forms
 * (uniform distributions, Bernoulli divergences), identities between
 * independently coded formulas, and the data-processing inequality. */
/* <<standard headers for every program>> */
#define _XOPEN_SOURCE 700
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <CUnit/Basic.h>

/* <<error reports>> */
typedef struct {
    char msg[512];
} Error;

static int fail(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}
/* <<checked allocation>> */
static void *alloc_array(size_t n, size_t size, Error *err)
{
    if (size != 0 && n > SIZE_MAX / size) {
        fail(err, "cannot allocate %zu items of %zu bytes: size overflows", n, size);
        return NULL;
    }
    void *p = malloc(n * size == 0 ? 1 : n * size);
    if (p == NULL)
        fail(err, "out of memory (%zu bytes)", n * size);
    return p;
}

/* <<a checked growable array>> */
static inline void *grow_array(void *data, size_t *cap, size_t need, size_t size, Error *err)
{
    if (need <= *cap)
        return data;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : 2 * c;
    if (size != 0 && c > SIZE_MAX / size) {
        fail(err, "cannot hold %zu items of %zu bytes: size overflows", need, size);
        return NULL;
    }
    void *p = realloc(data, c * size == 0 ? 1 : c * size);
    if (p == NULL) {
        fail(err, "out of memory (%zu items of %zu bytes)", c, size);
        return NULL;
    }
    *cap = c;
    return p;
}
/* <<information measures of discrete distributions>> */
static double xlog2x_over(double p, double q)       /* p log2(p/q), 0 if p = 0 */
{
    if (p == 0.0)
        return 0.0;
    return q == 0.0 ? INFINITY : p * log2(p / q);
}

static double entropy(const double *p, size_t n, size_t stride)
{
    double H = 0.0;
    for (size_t k = 0; k < n; k++)
        H -= xlog2x_over(p[k * stride], 1.0);
    return H;
}
/* <<the Kullback--Leibler divergence>> */
static double kl_divergence(const double *p, const double *q, size_t n)
{
    double cross = 0.0;                   /* D = cross-entropy - entropy */
    for (size_t k = 0; k < n; k++)
        if (p[k] > 0.0) {
            if (q[k] == 0.0)
                return INFINITY;
            cross -= p[k] * log2(q[k]);
        }
    return cross - entropy(p, n, 1);
}
/* <<marginals of a joint distribution>> */
static void marginals(const gsl_matrix *pxy, double *px, double *py)
{
    for (size_t y = 0; y < pxy->size2; y++)
        py[y] = 0.0;
    for (size_t x = 0; x < pxy->size1; x++) {
        px[x] = 0.0;
        for (size_t y = 0; y < pxy->size2; y++) {
            px[x] += gsl_matrix_get(pxy, x, y);
            py[y] += gsl_matrix_get(pxy, x, y);
        }
    }
}
/* <<conditional entropy, row by row>> */
static double cond_entropy_rows(const gsl_matrix *pxy, const double *px)
{
    double H = 0.0, *row = malloc(pxy->size2 * sizeof *row);
    if (row == NULL)
        return NAN;
    for (size_t x = 0; x < pxy->size1; x++) {
        if (px[x] == 0.0)
            continue;
        for (size_t y = 0; y < pxy->size2; y++)
            row[y] = gsl_matrix_get(pxy, x, y) / px[x];
        H += px[x] * entropy(row, pxy->size2, 1);
    }
    free(row);
    return H;
}
/* <<conditional entropy, column by column>> */
static double cond_entropy_cols(const gsl_matrix *pxy, const double *py)
{
    double H = 0.0, *col = malloc(pxy->size1 * sizeof *col);
    if (col == NULL)
        return NAN;
    for (size_t y = 0; y < pxy->size2; y++) {
        if (py[y] == 0.0)
            continue;
        for (size_t x = 0; x < pxy->size1; x++)
            col[x] = gsl_matrix_get(pxy, x, y) / py[y];
        H += py[y] * entropy(col, pxy->size1, 1);
    }
    free(col);
    return H;
}
/* <<mutual information, four ways>> */
typedef struct {
    double HX, HY, HXgY, HYgX;      /* H(X), H(Y), H(X|Y), H(Y|X) */
    double I_sum, I_hy, I_hx, I_kl; /* the sum, two entropy differences, KL */
} Info;
/* <<compute every measure of one joint distribution>> */
static int information(const gsl_matrix *pxy, Info *info, Error *err)
{
    const size_t nx = pxy->size1, ny = pxy->size2;
    double *px = alloc_array(nx, sizeof *px, err);
    double *py = alloc_array(ny, sizeof *py, err);
    double *prod = alloc_array(nx * ny, sizeof *prod, err);
    if (px == NULL || py == NULL || prod == NULL) {
        free(px);
        free(py);
        free(prod);
        return -1;
    }
    marginals(pxy, px, py);
    info->HX = entropy(px, nx, 1);
    info->HY = entropy(py, ny, 1);
    info->HYgX = cond_entropy_rows(pxy, px);
    info->HXgY = cond_entropy_cols(pxy, py);
    /* <<the sum of the definition, and the product distribution>> */
    info->I_sum = 0.0;
    for (size_t x = 0; x < nx; x++)
        for (size_t y = 0; y < ny; y++) {
            prod[x * ny + y] = px[x] * py[y];
            info->I_sum += xlog2x_over(gsl_matrix_get(pxy, x, y), px[x] * py[y]);
        }
    info->I_hy = info->HY - info->HYgX;
    info->I_hx = info->HX - info->HXgY;
    info->I_kl = kl_divergence(pxy->data, prod, nx * ny);    /* tda == ny */
    free(px);
    free(py);
    free(prod);
    return 0;
}
/* <<the bias of plug-in information from counts>> */
typedef struct {
    bool counts;                /* whole numbers, 1 < N < 2^53 */
    double N;
    size_t rows, cols, cells;   /* in use: r, c and m of the bias formula */
    double bias_full, bias_mm;  /* (r-1)(c-1)/(2N ln 2), (m-r-c+1)/(2N ln 2) */
} Count_bias;

static Count_bias count_bias(const gsl_matrix *n)
{
    Count_bias cb = {true, 0.0, 0, 0, 0, 0.0, 0.0};
    for (size_t x = 0; x < n->size1; x++) {
        bool used = false;
        for (size_t y = 0; y < n->size2; y++) {
            double v = gsl_matrix_get(n, x, y);
            cb.counts = cb.counts && v == floor(v);
            cb.N += v;
            cb.cells += v > 0.0;
            used = used || v > 0.0;
        }
        cb.rows += used;
    }
    for (size_t y = 0; y < n->size2; y++) {
        bool used = false;
        for (size_t x = 0; x < n->size1; x++)
            used = used || gsl_matrix_get(n, x, y) > 0.0;
        cb.cols += used;
    }
    cb.counts = cb.counts && cb.N > 1.0 && cb.N < 9007199254740992.0;
    if (cb.counts) {
        double scale = 2.0 * cb.N * M_LN2;
        cb.bias_full = ((double)cb.rows - 1.0) * ((double)cb.cols - 1.0) / scale;
        cb.bias_mm = ((double)cb.cells - (double)cb.rows - (double)cb.cols + 1.0) / scale;
    }
    return cb;
}
/* <<random Markov chains>> */
enum { MAX_OUTCOMES = 144 };

static void random_distribution(gsl_rng *rng, double *p, size_t n, double conc)
{
    double alpha[MAX_OUTCOMES];
    if (n > MAX_OUTCOMES)
        abort();                                    /* a programming error */
    for (size_t k = 0; k < n; k++)
        alpha[k] = conc;
    gsl_ran_dirichlet(rng, n, alpha, p);
}

/* <<draw one random chain and measure both informations>> */
typedef struct {
    size_t nx, ny, nz;
    bool permutation;               /* the second channel is a permutation */
    double Ixy, Ixz;
} Chain;

static int random_chain(gsl_rng *rng, bool permutation, Chain *c, Error *err)
{
    double px[12], pyx[12][12], pzy[12][12];
    double conc = pow(10.0, gsl_ran_flat(rng, -1.5, 1.0));
    c->nx = 2 + gsl_rng_uniform_int(rng, 11);
    c->ny = 2 + gsl_rng_uniform_int(rng, 11);
    c->nz = permutation ? c->ny : 2 + gsl_rng_uniform_int(rng, 11);
    c->permutation = permutation;
    random_distribution(rng, px, c->nx, 1.0);
    for (size_t x = 0; x < c->nx; x++)
        random_distribution(rng, pyx[x], c->ny, conc);
    /* <<choose the second channel, random or a permutation>> */
    if (permutation) {
        size_t perm[12];
        for (size_t k = 0; k < c->ny; k++)
            perm[k] = k;
        gsl_ran_shuffle(rng, perm, c->ny, sizeof perm[0]);
        for (size_t y = 0; y < c->ny; y++)
            for (size_t z = 0; z < c->nz; z++)
                pzy[y][z] = perm[y] == z;
    } else {
        for (size_t y = 0; y < c->ny; y++)
            random_distribution(rng, pzy[y], c->nz, conc);
    }
    gsl_matrix *pxy = gsl_matrix_calloc(c->nx, c->ny);
    gsl_matrix *pxz = gsl_matrix_calloc(c->nx, c->nz);
    Info a, b;
    int status = pxy && pxz ? 0 : fail(err, "out of memory");
    for (size_t x = 0; status == 0 && x < c->nx; x++)
        for (size_t y = 0; y < c->ny; y++) {
            gsl_matrix_set(pxy, x, y, px[x] * pyx[x][y]);
            for (size_t z = 0; z < c->nz; z++)    /* sum_y p(x) p(y|x) p(z|y) */
                *gsl_matrix_ptr(pxz, x, z) += px[x] * pyx[x][y] * pzy[y][z];
        }
    if (status == 0 && (status = information(pxy, &a, err)) == 0
        && (status = information(pxz, &b, err)) == 0) {
        c->Ixy = a.I_sum;
        c->Ixz = b.I_sum;
    }
    gsl_matrix_free(pxy);
    gsl_matrix_free(pxz);
    return status;
}
/* <<the two-bit example>> */
enum { MI_KEYS = 24, MI_GROUPS = 4, MI_CLASSES = 64 };

static gsl_matrix *two_bit_joint(Error *err)    /* rows: class x; columns: key y */
{
    gsl_matrix *p = gsl_matrix_calloc(MI_CLASSES, MI_KEYS);
    if (p == NULL) {
        fail(err, "out of memory");
        return NULL;
    }
    const int keys_per_group = MI_KEYS / MI_GROUPS;
    const int classes_per_group = MI_CLASSES / MI_GROUPS;
    for (int y = 0; y < MI_KEYS; y++) {
        int g = y / keys_per_group;
        for (int x = g * classes_per_group; x < (g + 1) * classes_per_group; x++)
            gsl_matrix_set(p, x, y, (1.0 / MI_KEYS) * (1.0 / classes_per_group));
    }
    return p;
}
/* <<the example of counts from independent variables>> */
typedef struct {
    size_t rows, cols;
    unsigned long seed;
    unsigned N, bigN;
    int tables;
    Count_bias cb;
    double I, mean, big_mean, big_full;
} Bias_example;
/* <<draw one table of independent counts>> */
static double independent_table(gsl_rng *rng, gsl_matrix *n, unsigned N,
                                Count_bias *cb, Error *err)
{
    unsigned k[MAX_OUTCOMES] = {0};
    double p[MAX_OUTCOMES] = {0};
    const size_t cells = n->size1 * n->size2;       /* tda == size2 */
    if (cells > MAX_OUTCOMES)
        abort();                                    /* a programming error */
    for (size_t c = 0; c < cells; c++)
        p[c] = 1.0 / (double)cells;                 /* uniform X times uniform Y */
    gsl_ran_multinomial(rng, cells, N, p, k);
    for (size_t c = 0; c < cells; c++)
        n->data[c] = k[c];
    Info in;
    *cb = count_bias(n);
    gsl_matrix_scale(n, 1.0 / N);
    return information(n, &in, err) == 0 ? in.I_sum : NAN;
}
/* <<draw the tables of the example of counts>> */
static int bias_example(Bias_example *e, Error *err)
{
    *e = (Bias_example){6, 24, 5, 200, 20000, 1000, {0}, 0, 0, 0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *n = gsl_matrix_alloc(e->rows, e->cols);
    int status = rng && n ? 0 : fail(err, "out of memory");
    Count_bias cb;
    if (status == 0) {
        gsl_rng_set(rng, e->seed);
        e->I = independent_table(rng, n, e->N, &e->cb, err);
        for (int t = 0; t < e->tables; t++) {
            e->mean += independent_table(rng, n, e->N, &cb, err) / e->tables;
            e->big_mean += independent_table(rng, n, e->bigN, &cb, err) / e->tables;
        }
        e->big_full = cb.bias_full;
        if (!isfinite(e->I + e->mean + e->big_mean))
            status = fail(err, "the example of counts failed");
    }
    gsl_matrix_free(n);
    gsl_rng_free(rng);
    return status;
}
/* <<run the program under test>> */
#include <dirent.h>
#include <sys/wait.h>

typedef struct {
    int status;             /* exit status, or -1 if the program did not exit */
    char out[4096];         /* the start of what it wrote on standard output */
    char err[1024];         /* the start of what it wrote on standard error */
} Run;

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (fp != NULL) {
        size_t n = fread(buf, 1, size - 1, fp);
        buf[n] = '\0';
        fclose(fp);
    }
}

/* Run the program with ARGS, its standard output going to STDOUT_TO
   (a path; relative paths are inside TESTDIR). */
static Run run_program_to(const char *args, const char *stdout_to)
{
    Run r = {-1, "", ""};
    const char *prog = getenv("PROGRAM"), *dir = getenv("TESTDIR");
    if (prog == NULL || dir == NULL) {
        snprintf(r.err, sizeof r.err, "PROGRAM or TESTDIR is not set");
        return r;
    }
    char cmd[4096], outpath[1024], errpath[1024];
    snprintf(outpath, sizeof outpath, "%s/stdout.txt", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    remove(outpath);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s'",
             dir, prog, args, stdout_to, errpath);
    int s = system(cmd);
    if (s != -1 && WIFEXITED(s))
        r.status = WEXITSTATUS(s);
    slurp(outpath, r.out, sizeof r.out);
    slurp(errpath, r.err, sizeof r.err);
    return r;
}

static Run run_program(const char *args)
{
    return run_program_to(args, "stdout.txt");
}

static void write_test_file(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    FILE *fp = fopen(path, "w");
    if (fp != NULL) {
        fputs(text, fp);
        fclose(fp);
    }
}

static bool test_file_exists(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("TESTDIR"), name);
    return access(path, F_OK) == 0;
}

static int leftover_files(const char *prefix)
{
    int n = 0;
    DIR *d = opendir(getenv("TESTDIR"));
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL; )
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}
/* <<expect a one-line rejection>> */
static void expect_rejection_of(const char *args, const char *needle,
                                const char *output)
{
    Run r = run_program(args);
    CU_ASSERT(r.status == 1);
    CU_ASSERT(strstr(r.err, needle) != NULL);
    CU_ASSERT(count_lines(r.err) == 1);
    CU_ASSERT(leftover_files(output) == 0);
    if (r.status != 1 || strstr(r.err, needle) == NULL)
        fprintf(stderr, "\n  [%s] gave status %d and: %s", args, r.status, r.err);
}
/* <<run a table of CUnit tests>> */
typedef struct {
    int suite;              /* index into the suite names */
    const char *name;
    CU_TestFunc fn;
} Test_entry;

static int run_test_table(const char *const *suite_names, int nsuites,
                          const Test_entry *tests, size_t ntests)
{
    gsl_set_error_handler_off();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return EXIT_FAILURE;
    CU_pSuite suites[8] = {NULL};
    for (int k = 0; k < nsuites && k < 8; k++)
        suites[k] = CU_add_suite(suite_names[k], NULL, NULL);
    for (size_t k = 0; k < ntests; k++)
        if (tests[k].suite >= nsuites || suites[tests[k].suite] == NULL
            || !CU_add_test(suites[tests[k].suite], tests[k].name, tests[k].fn)) {
            CU_cleanup_registry();
            return EXIT_FAILURE;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
/* <<tests of mutual information>> */
static void test_two_bits(void)
{
    Error err = {""};
    gsl_matrix *p = two_bit_joint(&err);
    Info in;
    CU_ASSERT_FATAL(p != NULL && information(p, &in, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(in.HX, 6.0, 1e-12);                  /* log2 64 */
    CU_ASSERT_DOUBLE_EQUAL(in.HXgY, 4.0, 1e-12);                /* log2 16 */
    CU_ASSERT_DOUBLE_EQUAL(in.HY, log2(24.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(in.HYgX, log2(6.0), 1e-12);
    const double routes[4] = {in.I_sum, in.I_hy, in.I_hx, in.I_kl};
    for (int k = 0; k < 4; k++)
        CU_ASSERT_DOUBLE_EQUAL(routes[k], 2.0, 1e-12);
    gsl_matrix_free(p);
}
/* <<tests of mutual information>> */
static void random_joint(gsl_rng *rng, gsl_matrix *p, bool with_zeros)
{
    random_distribution(rng, p->data, p->size1 * p->size2, 0.7);   /* tda == size2 */
    if (with_zeros) {
        double kept = 0.0;
        for (size_t k = 0; k < p->size1 * p->size2; k++) {
            if (k % 3 == 1)
                p->data[k] = 0.0;
            kept += p->data[k];
        }
        gsl_matrix_scale(p, 1.0 / kept);
    }
}
/* <<tests of mutual information>> */
static void test_identities_on_random_joints(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    for (int trial = 0; trial < 200; trial++) {
        size_t nx = 2 + gsl_rng_uniform_int(rng, 9);
        size_t ny = 2 + gsl_rng_uniform_int(rng, 9);
        gsl_matrix *p = gsl_matrix_alloc(nx, ny);
        random_joint(rng, p, trial % 3 == 0);       /* every third with zeros */
        Info in;
        Error err = {""};
        CU_ASSERT_FATAL(information(p, &in, &err) == 0);
        CU_ASSERT_DOUBLE_EQUAL(in.I_hy, in.I_sum, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(in.I_hx, in.I_sum, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(in.I_kl, in.I_sum, 1e-12);
        CU_ASSERT(in.I_sum >= -1e-12);
        CU_ASSERT(in.I_sum <= fmin(in.HX, in.HY) + 1e-12);
        double px[16], py[16];
        marginals(p, px, py);
        for (size_t x = 0; x < nx; x++)
            for (size_t y = 0; y < ny; y++)
                gsl_matrix_set(p, x, y, px[x] * py[y]);
        CU_ASSERT_FATAL(information(p, &in, &err) == 0);
        CU_ASSERT_DOUBLE_EQUAL(in.I_sum, 0.0, 1e-12);
        gsl_matrix_free(p);
    }
    gsl_rng_free(rng);
}
/* <<tests of mutual information>> */
static void test_divergence_and_zeros(void)
{
    const double a = 0.3, b = 0.8;
    const double p[2] = {a, 1 - a}, q[2] = {b, 1 - b};
    double closed = a * log2(a / b) + (1 - a) * log2((1 - a) / (1 - b));
    CU_ASSERT_DOUBLE_EQUAL(kl_divergence(p, q, 2), closed, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(kl_divergence(p, p, 2), 0.0, 1e-15);
    const double zero_p[3] = {0.5, 0.0, 0.5}, full_q[3] = {0.25, 0.5, 0.25};
    /* 0 log(0/q) = 0, and p log(p/0) = infinity */
    CU_ASSERT_DOUBLE_EQUAL(kl_divergence(zero_p, full_q, 3), 1.0, 1e-15);
    CU_ASSERT(isinf(kl_divergence(full_q, zero_p, 3)));
    CU_ASSERT_DOUBLE_EQUAL(entropy(zero_p, 3, 1), 1.0, 1e-15);
    const double certain[4] = {0.0, 1.0, 0.0, 0.0};
    CU_ASSERT_EQUAL(entropy(certain, 4, 1), 0.0);
}
/* <<tests of mutual information>> */
static void test_count_bias(void)
{
    double t1[6] = {3, 4, 5, 6, 7, 5};                  /* 2 x 3, N = 30 */
    gsl_matrix_view v = gsl_matrix_view_array(t1, 2, 3);
    Count_bias cb = count_bias(&v.matrix);
    CU_ASSERT(cb.counts && cb.N == 30.0 && cb.cells == 6);
    CU_ASSERT_DOUBLE_EQUAL(cb.bias_full, 2.0 / (60.0 * log(2.0)), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(cb.bias_mm, 2.0 / (60.0 * log(2.0)), 1e-15);
    double t2[9] = {5, 0, 0, 0, 5, 0, 1, 0, 0};         /* m = 3, r = 3, c = 2 */
    v = gsl_matrix_view_array(t2, 3, 3);
    cb = count_bias(&v.matrix);
    CU_ASSERT(cb.counts && cb.rows == 3 && cb.cols == 2 && cb.cells == 3);
    CU_ASSERT_DOUBLE_EQUAL(cb.bias_mm, (3.0 - 3 - 2 + 1) / (22.0 * log(2.0)), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(cb.bias_full, 2.0 / (22.0 * log(2.0)), 1e-15);
    double w[4] = {0.25, 0.25, 0.25, 0.25}, one[4] = {1, 0, 0, 0}, half[4] = {1, 2.5, 3, 4};
    v = gsl_matrix_view_array(w, 2, 2);
    CU_ASSERT(!count_bias(&v.matrix).counts);           /* probabilities */
    v = gsl_matrix_view_array(one, 2, 2);
    CU_ASSERT(!count_bias(&v.matrix).counts);           /* N = 1 */
    v = gsl_matrix_view_array(half, 2, 2);
    CU_ASSERT(!count_bias(&v.matrix).counts);           /* a fractional entry */
    /* <<check the example of counts against its closed forms>> */
    Bias_example e;
    Error err = {""};
    CU_ASSERT_FATAL(bias_example(&e, &err) == 0);
    CU_ASSERT(e.cb.counts && e.cb.N == 200.0 && e.cb.rows == 6 && e.cb.cols == 24);
    CU_ASSERT_DOUBLE_EQUAL(e.cb.bias_full, 5.0 * 23.0 / (400.0 * log(2.0)), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(e.big_full, 5.0 * 23.0 / (40000.0 * log(2.0)), 1e-15);
    double sd = sqrt(2.0 * 115.0) / (40000.0 * log(2.0));
    CU_ASSERT(fabs(e.big_mean - e.big_full) < 4.0 * sd / sqrt((double)e.tables));
    CU_ASSERT(e.mean > e.cb.bias_mm);                       /* the text's claim */
}
/* <<tests of mutual information>> */
static void test_bias_on_independent_tables(void)
{
    enum { R = 3, C = 4, M = 4000 };
    const double px[R] = {0.5, 0.3, 0.2}, py[C] = {0.4, 0.3, 0.2, 0.1};
    const unsigned N = 2000;                        /* smallest cell: 40 counts */
    double p[R * C], sum = 0.0, sum2 = 0.0, ix = 0.0, iy = 0.0;
    for (int x = 0; x < R; x++)
        for (int y = 0; y < C; y++)
            p[x * C + y] = px[x] * py[y];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *n = gsl_matrix_alloc(R, C);
    CU_ASSERT_FATAL(rng != NULL && n != NULL);
    gsl_rng_set(rng, 7);
    /* <<draw M independent tables and average their plug-in information>> */
    for (int t = 0; t < M; t++) {
        unsigned k[R * C];
        gsl_ran_multinomial(rng, R * C, N, p, k);
        for (int c = 0; c < R * C; c++)
            n->data[c] = k[c];
        Count_bias cb = count_bias(n);
        CU_ASSERT(cb.cells == R * C);
        CU_ASSERT_DOUBLE_EQUAL(cb.bias_mm, 6.0 / (2.0 * N * log(2.0)), 1e-15);
        gsl_matrix_scale(n, 1.0 / N);
        Info in;
        Error err = {""};
        CU_ASSERT_FATAL(information(n, &in, &err) == 0);
        sum += in.I_sum;
        sum2 += in.I_sum * in.I_sum;
    }
    for (int x = 0; x < R; x++)
        ix += 1.0 / px[x];
    for (int y = 0; y < C; y++)
        iy += 1.0 / py[y];
    const double df = (R - 1) * (C - 1), predicted = df / (2.0 * N * log(2.0));
    const double w = (ix - 1.0) * (iy - 1.0) / (6.0 * df);
    double mean = sum / M, se = sqrt((sum2 / M - mean * mean) / (M - 1));
    CU_ASSERT(fabs(mean - predicted) < 4.0 * se + 2.0 * w / N * predicted);
    CU_ASSERT(fabs(mean - predicted) > 0.0);        /* not a tautology */
    gsl_matrix_free(n);
    gsl_rng_free(rng);
}
/* <<tests of mutual information>> */
static void test_data_processing(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_FATAL(rng != NULL);
    gsl_rng_set(rng, 99);
    for (int k = 0; k < 1000; k++) {
        Chain c;
        Error err = {""};
        CU_ASSERT_FATAL(random_chain(rng, k % 10 == 0, &c, &err) == 0);
        CU_ASSERT(c.Ixz <= c.Ixy + 1e-12);
        if (c.permutation)
            CU_ASSERT_DOUBLE_EQUAL(c.Ixz, c.Ixy, 1e-12);
    }
    gsl_rng_free(rng);
}
/* <<tests of mutual information>> */
static void expect_mi_rejection(const char *args, const char *needle)
{
    expect_rejection_of(args, needle, "out.tsv");
}

static void test_mutinfo_cli(void)
{
    write_test_file("neg.tsv", "1 2\n-1 3\n");
    write_test_file("zero.tsv", "0 0\n0 0\n");
    write_test_file("ragged.tsv", "1 2\n3\n");
    write_test_file("counts.tsv", "# a 2 x 2 table of counts\n30 10\n10 30\n");
    expect_mi_rejection("--joint neg.tsv", "negative");
    expect_mi_rejection("--joint zero.tsv", "positive");
    expect_mi_rejection("--joint counts.tsv --values counts.tsv", "worked example");
    expect_mi_rejection("--values v.tsv --macros ./v.tsv", "same file");
    write_test_file("tiny.tsv", "1e-300 1e-300\n1e-300 3e-300\n");
    Run tiny = run_program("--joint tiny.tsv");       /* scaled before summing */
    CU_ASSERT(tiny.status == 0 && strstr(tiny.out, "nan") == NULL);
    expect_mi_rejection("--joint ragged.tsv", "ragged");
    expect_mi_rejection("--joint missing.tsv", "cannot open");
    expect_mi_rejection("--chains 0 -o out.tsv", "out of range");
    expect_mi_rejection("--chains 5 --joint counts.tsv -o out.tsv",
                        "separate modes");
    expect_mi_rejection("--bogus", "unknown option");
    /* <<run mutinfo on a table of counts and on a table of probabilities>> */
        Run r = run_program("--joint counts.tsv");        /* p = (3/8, 1/8; 1/8, 3/8) */
        CU_ASSERT(r.status == 0);
        double I = 1.0 - (0.75 * log2(1 / 0.75) + 0.25 * log2(4.0));   /* 1 - h(1/4) */
        char want[160];
        snprintf(want, sizeof want, "sum %.12g", I);
        CU_ASSERT(strstr(r.out, want) != NULL);
        snprintf(want, sizeof want, "corrected I(X;Y) = %.6g bits", /* N = 80, m = 4 */
                 I - 1.0 / (160.0 * log(2.0)));
        CU_ASSERT(strstr(r.out, "read as counts (whole numbers, N = 80)") != NULL);
        CU_ASSERT(strstr(r.out, want) != NULL);
        write_test_file("probs.tsv", "0.375 0.125\n0.125 0.375\n");
        r = run_program("--joint probs.tsv");
        CU_ASSERT(r.status == 0 && strstr(r.out, "no bias estimate") != NULL);
        r = run_program("--chains 20 -o out.tsv");
        CU_ASSERT(r.status == 0 && test_file_exists("out.tsv"));
}
/* <<run every suite of mutinfo>> */
int main(void)
{
    static const char *const suites[] = {"23.5 mutual information"};
    static const Test_entry tests[] = {
        {0, "worked example 23.5A against its closed form", test_two_bits},
        {0, "four routes to I(X;Y) agree on random joints",
         test_identities_on_random_joints},
        {0, "divergence: Bernoulli closed form, zeros", test_divergence_and_zeros},
        {0, "counts: the bias estimates against hand counts and worked example "
            "23.5B", test_count_bias},
        {0, "counts: mean plug-in I of independent tables vs (r-1)(c-1)/(2N ln 2)",
         test_bias_on_independent_tables},
        {0, "data processing on 1000 random chains", test_data_processing},
        {0, "command line: bad input, counts, chains", test_mutinfo_cli}};
    return run_test_table(suites, 1, tests, sizeof tests / sizeof tests[0]);
}
