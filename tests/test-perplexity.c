/* test-perplexity.c -- CUnit tests of section 23.1 (affinities).
 * Tangled from chapters/23-1a-affinities.nw and chapters/p1-perplexity.nw;
 * expected values are derived independently (closed forms, definitions, finite differences), never copied
 * from the program's output.  PROGRAM names the built program, TESTDIR a
 * scratch directory. */
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
/* <<interface of the affinities>> */
typedef struct {
    double perplexity;      /* target Perp(P_i); 1 < perplexity < N - 1 */
    double tol;             /* tolerance on H(P_i), in bits */
    int max_iter;           /* entropy evaluations allowed per row */
} Calibration;

typedef struct {
    double beta;            /* precision 1/(2 sigma_i^2) where the search stopped */
    double entropy;         /* H(P_i) there, in bits */
    int iterations;         /* entropy evaluations used */
    bool converged;         /* |H(P_i) - log2 perplexity| < tol */
    size_t ties;            /* r: neighbours tied at the minimum distance */
} Row_fit;

/* <<the trace of a search>> */
enum { TRACE_MAX = 256 };
typedef struct {
    double beta[TRACE_MAX], entropy[TRACE_MAX];
    int n;
} Trace;

/* <<declare the functions of the affinities>> */
static double row_entropy(const double *d2, size_t n, double beta, double *p);
static Row_fit row_calibrate(const double *d2, size_t n, const Calibration *cal,
                             double *p, Trace *trace);
static int check_calibration(const Calibration *cal, size_t N, Error *err);
static int squared_distances(const gsl_matrix *x, gsl_matrix *d2, Error *err);
static int conditional_affinities(gsl_matrix *m, const Calibration *cal,
                                  Row_fit *fits, Error *err);
static void symmetrise(gsl_matrix *m);
static int symmetric_affinities(const gsl_matrix *x, const Calibration *cal,
                                gsl_matrix *P, Row_fit *fits, Error *err);
/* <<implementation of the affinities>> */
/* <<compute the probabilities of one row and their entropy>> */
static double row_entropy(const double *d2, size_t n, double beta, double *p)
{
    double m = d2[0];
    for (size_t j = 1; j < n; j++)
        if (d2[j] < m)
            m = d2[j];
    double Z = 0.0;                                 /* >= 1: the nearest term is 1 */
    for (size_t j = 0; j < n; j++) {
        p[j] = exp(-beta * (d2[j] - m));
        Z += p[j];
    }
    /* <<normalise the row and return its entropy by the shifted formula>> */
    double mean_shift = 0.0;                        /* sum_j p_j|i (d_ij^2 - m_i) */
    for (size_t j = 0; j < n; j++) {
        p[j] /= Z;
        mean_shift += p[j] * (d2[j] - m);
    }
    return (log(Z) + beta * mean_shift) / M_LN2;
}
/* <<record the iterates of a search>> */
static void trace_record(Trace *trace, double beta, double entropy)
{
    if (trace != NULL && trace->n < TRACE_MAX) {
        trace->beta[trace->n] = beta;
        trace->entropy[trace->n] = entropy;
        trace->n++;
    }
}
/* <<count the nearest neighbours tied at the minimum distance>> */
static size_t nearest_ties(const double *d2, size_t n)
{
    double m = d2[0];
    for (size_t j = 1; j < n; j++)
        m = d2[j] < m ? d2[j] : m;
    size_t r = 0;
    for (size_t j = 0; j < n; j++)
        r += d2[j] - m <= 4.0 * DBL_EPSILON * m;
    return r;
}
/* <<choose the first trial precision from the row's scale>> */
static double first_trial(const double *d2, size_t n)
{
    double m = d2[0], mean = 0.0;
    for (size_t j = 1; j < n; j++)
        m = d2[j] < m ? d2[j] : m;
    for (size_t j = 0; j < n; j++)
        mean += (d2[j] - m) / (double)n;
    double beta = 1.0 / mean;
    return isfinite(beta) && beta > 0.0 ? beta : 1.0;
}
/* <<find the precision of one row by bisection>> */
static Row_fit row_calibrate(const double *d2, size_t n, const Calibration *cal,
                             double *p, Trace *trace)
{
    const double target = log2(cal->perplexity);
    Row_fit fit = {first_trial(d2, n), 0.0, 0, false, nearest_ties(d2, n)};
    double lo = 0.0, hi = INFINITY;                 /* H(lo) > target > H(hi) */
    while (fit.iterations < cal->max_iter) {
        fit.entropy = row_entropy(d2, n, fit.beta, p);
        fit.iterations++;
        trace_record(trace, fit.beta, fit.entropy);
        if (fabs(fit.entropy - target) < cal->tol) {
            fit.converged = true;
            break;
        }
        /* <<move one end of the bracket to [[beta]] and choose the next trial>> */
        if (fit.entropy > target)
            lo = fit.beta;
        else
            hi = fit.beta;
        double next = isinf(hi) ? 2.0 * fit.beta : 0.5 * (lo + hi);
        if (next == fit.beta || next == lo || next == hi || isinf(next))
            break;
        fit.beta = next;
    }
    return fit;
}
/* <<refuse a calibration that cannot succeed>> */
static int check_calibration(const Calibration *cal, size_t N, Error *err)
{
    if (N < 3)
        return fail(err, "at least 3 points are needed, got %zu "
                    "(the perplexity must lie strictly between 1 and N - 1)", N);
    if (!(cal->perplexity > 1.0))
        return fail(err, "perplexity %g is too small: it must be greater than 1",
                    cal->perplexity);
    if (!(cal->perplexity < (double)(N - 1)))
        return fail(err, "perplexity %g is too large for %zu points: "
                    "it must be below N - 1 = %zu", cal->perplexity, N, N - 1);
    if (!(cal->tol > 0.0 && cal->tol < 1.0))
        return fail(err, "the entropy tolerance must lie between 0 and 1 bit, "
                    "got %g", cal->tol);
    if (cal->max_iter < 1)
        return fail(err, "the bisection needs at least one step, got %d",
                    cal->max_iter);
    return 0;
}
/* <<compute the squared distances between all points>> */
static int squared_distances(const gsl_matrix *x, gsl_matrix *d2, Error *err)
{
    const size_t N = x->size1, D = x->size2;
    for (size_t i = 0; i < N; i++) {
        gsl_matrix_set(d2, i, i, 0.0);
        const double *xi = gsl_matrix_const_ptr(x, i, 0);
        for (size_t j = i + 1; j < N; j++) {
            /* <<set the squared distance of points [[i]] and [[j]], or refuse it>> */
            const double *xj = gsl_matrix_const_ptr(x, j, 0);
            double s = 0.0;
            for (size_t k = 0; k < D; k++)
                s += (xi[k] - xj[k]) * (xi[k] - xj[k]);
            if (!isfinite(s))
                return fail(err, "the squared distance between points %zu and %zu "
                            "overflows; rescale the data", i + 1, j + 1);
            gsl_matrix_set(d2, i, j, s);
            gsl_matrix_set(d2, j, i, s);
        }
    }
    return 0;
}
/* <<calibrate every row in place>> */
static int conditional_affinities(gsl_matrix *m, const Calibration *cal,
                                  Row_fit *fits, Error *err)
{
    const size_t N = m->size1, n = N - 1;
    if (check_calibration(cal, N, err) != 0)
        return -1;
    double *d2 = alloc_array(n, sizeof *d2, err);
    double *p = alloc_array(n, sizeof *p, err);
    if (d2 == NULL || p == NULL) {
        free(d2);
        free(p);
        return -1;
    }
    for (size_t i = 0; i < N; i++) {
        /* <<calibrate row [[i]] without its diagonal>> */
        double *row = gsl_matrix_ptr(m, i, 0);
        for (size_t j = 0, k = 0; j < N; j++)
            if (j != i)
                d2[k++] = row[j];
        fits[i] = row_calibrate(d2, n, cal, p, NULL);
        for (size_t j = 0, k = 0; j < N; j++)
            row[j] = j == i ? 0.0 : p[k++];
    }
    free(d2);
    free(p);
    return 0;
}
/* <<symmetrise the conditional affinities in place>> */
static void symmetrise(gsl_matrix *m)
{
    const size_t N = m->size1;
    for (size_t i = 0; i < N; i++) {
        for (size_t j = i + 1; j < N; j++) {
            double p_j_i = gsl_matrix_get(m, i, j), p_i_j = gsl_matrix_get(m, j, i);
            double p_ij = (p_j_i + p_i_j) / (2.0 * N);
            gsl_matrix_set(m, i, j, p_ij);
            gsl_matrix_set(m, j, i, p_ij);
        }
        gsl_matrix_set(m, i, i, 0.0);
    }
}
/* <<compute the symmetric affinities of a set of points>> */
static int symmetric_affinities(const gsl_matrix *x, const Calibration *cal,
                                gsl_matrix *P, Row_fit *fits, Error *err)
{
    if (squared_distances(x, P, err) != 0
        || conditional_affinities(P, cal, fits, err) != 0)
        return -1;
    symmetrise(P);
    return 0;
}
/* <<tell whether a row missed its target>> */
static bool row_missed(const Row_fit *fit, const Calibration *cal)
{
    return !fit->converged || cal->perplexity <= (double)fit->ties;
}
/* <<the rows of the worked examples>> */
enum { UNDERFLOW_N = 90 };
static const unsigned long UNDERFLOW_SEED = 42;
static const Calibration UNDERFLOW_CAL = {30.0, 1e-5, 200};  /* target, tol, steps */

static int underflow_row(double d2[UNDERFLOW_N], Error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return fail(err, "cannot allocate a random number generator");
    gsl_rng_set(rng, UNDERFLOW_SEED);
    for (int j = 0; j < UNDERFLOW_N; j++)
        d2[j] = 100.0 + gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    return 0;
}
/* <<the rows of the worked examples>> */
static const double LIMIT_D2[5] = {1.0, 1.0, 25.0, 26.0, 26.0};
static const Calibration LIMIT_CAL = {2.0, 1e-5, 200};
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
/* <<expect every output option to refuse a bad name>> */
static void expect_outputs_refused(const char *base, const char *const *opts,
                                   size_t n)
{
    static const char *const bad[3][2] = {{"''", "is empty"},
        {"a-directory", "is a directory"}, {"no-such-dir/x", "does not exist"}};
    char path[1024], args[1024];
    snprintf(path, sizeof path, "%s/a-directory", getenv("TESTDIR"));
    mkdir(path, 0777);
    for (size_t k = 0; k < n; k++)
        for (int b = 0; b < 3; b++) {
            snprintf(args, sizeof args, "%s %s good.out %s %s", base,
                     opts[(k + 1) % n], opts[k], bad[b][0]);
            expect_rejection_of(args, bad[b][1], "good.out");
        }
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
/* <<helpers for the tests>> */
static gsl_rng *test_rng(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        fprintf(stderr, "test: cannot allocate a random number generator\n");
        exit(EXIT_FAILURE);
    }
    gsl_rng_set(rng, seed);
    return rng;
}
/* <<tests of the affinities>> */
static void test_example_A(void)
{
    const double d2[3] = {1.0, 4.0, 9.0};           /* distances 1, 2, 3 */
    const double beta = 1.0 / (2.0 * 1.0 * 1.0);    /* sigma_1 = 1 */
    double p[3];
    double H = row_entropy(d2, 3, beta, p);

    /* closed form: divide by exp(-1/2) */
    double den = 1.0 + exp(-1.5) + exp(-4.0);
    double want[3] = {1.0 / den, exp(-1.5) / den, exp(-4.0) / den};
    double H_def = 0.0;                     /* the definition, -sum p log2 p */
    for (int j = 0; j < 3; j++) {
        CU_ASSERT_DOUBLE_EQUAL(p[j], want[j], 1e-6);
        H_def -= want[j] * log2(want[j]);
    }
    CU_ASSERT_DOUBLE_EQUAL(H, H_def, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(pow(2.0, H), pow(2.0, H_def), 1e-6);
    /* <<compare worked example 23.1A with its published five digits>> */
    CU_ASSERT_DOUBLE_EQUAL(p[0], 0.80551, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(p[1], 0.17973, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(p[2], 0.01475, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(H, 0.78611, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(pow(2.0, H), 1.72442, 5e-6);
}
/* <<tests of the affinities>> */
static void test_entropy_derivative(void)
{
    gsl_rng *rng = test_rng(7);
    double d2[40], p[40];
    for (int trial = 0; trial < 20; trial++) {
        for (int j = 0; j < 40; j++)
            d2[j] = 10.0 * gsl_rng_uniform(rng);
        double beta = 0.05 + 2.0 * gsl_rng_uniform(rng), h = 1e-5;
        double fd = (row_entropy(d2, 40, beta + h, p)
                     - row_entropy(d2, 40, beta - h, p)) / (2 * h);
        row_entropy(d2, 40, beta, p);
        double m1 = 0.0, m2 = 0.0;                  /* E[d^2], E[d^4] under P_i */
        for (int j = 0; j < 40; j++) {
            m1 += p[j] * d2[j];
            m2 += p[j] * d2[j] * d2[j];
        }
        double formula = -beta * (m2 - m1 * m1) / M_LN2;   /* the proposition */
        CU_ASSERT_DOUBLE_EQUAL(fd, formula, 1e-6 * (1.0 + fabs(formula)));
    }
    gsl_rng_free(rng);
}
/* <<tests of the affinities>> */
static void test_entropy_increases_with_sigma(void)
{
    gsl_rng *rng = test_rng(11);
    double d2[30], p[30];
    for (int trial = 0; trial < 100; trial++) {
        for (int j = 0; j < 30; j++)
            d2[j] = 0.5 + 20.0 * gsl_rng_uniform(rng);
        double last = -INFINITY;
        for (double sigma = 0.5; sigma <= 20.0; sigma *= 1.1) {
            double H = row_entropy(d2, 30, 1.0 / (2.0 * sigma * sigma), p);
            CU_ASSERT(H > last);
            last = H;
        }
    }
    gsl_rng_free(rng);
}
/* <<tests of the affinities>> */
static double entropy_by_definition(const double *p, size_t n)
{
    double H = 0.0;
    for (size_t j = 0; j < n; j++)
        if (p[j] > 0.0)
            H -= p[j] * log2(p[j]);
    return H;
}
/* <<tests of the affinities>> */
static void test_bisection_random_points(void)
{
    enum { N = 50, D = 5 };
    gsl_rng *rng = test_rng(2023);
    gsl_matrix *x = gsl_matrix_alloc(N, D), *m = gsl_matrix_alloc(N, N);
    CU_ASSERT_FATAL(x != NULL && m != NULL);
    for (size_t k = 0; k < N * D; k++)
        x->data[k] = gsl_ran_gaussian(rng, 1.0);
    const double targets[3] = {5.0, 25.0, 45.0};
    for (int t = 0; t < 3; t++) {
        Calibration cal = {targets[t], 1e-5, 200};
        Row_fit fits[N];
        Error err = {""};
        CU_ASSERT_FATAL(squared_distances(x, m, &err) == 0);
        CU_ASSERT_FATAL(conditional_affinities(m, &cal, fits, &err) == 0);
        for (size_t i = 0; i < N; i++) {
            /* <<check row [[i]] of [[m]] against its target>> */
            double row_sum = 0.0;
            for (size_t j = 0; j < N; j++)
                row_sum += gsl_matrix_get(m, i, j);
            double H = entropy_by_definition(gsl_matrix_const_ptr(m, i, 0), N);
            CU_ASSERT(fits[i].converged);
            CU_ASSERT_DOUBLE_EQUAL(H, log2(targets[t]), 1e-5);
            CU_ASSERT_DOUBLE_EQUAL(row_sum, 1.0, 1e-12);
            CU_ASSERT_EQUAL(gsl_matrix_get(m, i, i), 0.0);
        }
    }
    gsl_matrix_free(x);
    gsl_matrix_free(m);
    gsl_rng_free(rng);
}
/* <<tests of the affinities>> */
static void test_underflow_row(void)
{
    double d2[UNDERFLOW_N], p[UNDERFLOW_N];
    Error err = {""};
    CU_ASSERT_FATAL(underflow_row(d2, &err) == 0);
    Calibration cal = {30.0, 1e-5, 200};
    Row_fit fit = row_calibrate(d2, UNDERFLOW_N, &cal, p, NULL);
    CU_ASSERT(fit.converged);
    double perp = pow(2.0, entropy_by_definition(p, UNDERFLOW_N));
    CU_ASSERT_DOUBLE_EQUAL(perp, 30.0, 1e-3);
    /* and the shift is what saves it: the unshifted largest term underflows */
    CU_ASSERT(exp(-fit.beta * 95.0) < FLT_MIN);
}
/* <<tests of the affinities>> */
static void test_search_ignores_units(void)
{
    double d2[UNDERFLOW_N], scaled[UNDERFLOW_N], p[UNDERFLOW_N], q[UNDERFLOW_N];
    Error err = {""};
    CU_ASSERT_FATAL(underflow_row(d2, &err) == 0);
    const Calibration cal = {30.0, 1e-5, 200};
    Row_fit fit = row_calibrate(d2, UNDERFLOW_N, &cal, p, NULL);
    const double factors[2] = {ldexp(1.0, 100), ldexp(1.0, -100)};
    for (int f = 0; f < 2; f++) {
        for (int j = 0; j < UNDERFLOW_N; j++)
            scaled[j] = d2[j] * factors[f];
        Row_fit g = row_calibrate(scaled, UNDERFLOW_N, &cal, q, NULL);
        CU_ASSERT(g.converged);
        CU_ASSERT_EQUAL(g.iterations, fit.iterations);
        CU_ASSERT_EQUAL(g.beta, fit.beta / factors[f]);
        CU_ASSERT_EQUAL(memcmp(p, q, sizeof p), 0);
    }
}
/* <<tests of the affinities>> */
static void test_limit_case(void)
{
    double p[5], d2[5] = {1.0, 1.0, 25.0, 26.0, 26.0};
    const Calibration at_r = {2.0, 1e-5, 200}, below = {1.5, 1e-5, 200};
    const Calibration above = {3.0, 1e-5, 200};
    Row_fit fit = row_calibrate(d2, 5, &at_r, p, NULL);
    CU_ASSERT(fit.ties == 2 && fit.converged && row_missed(&fit, &at_r));
    fit = row_calibrate(d2, 5, &below, p, NULL);
    CU_ASSERT(fit.ties == 2 && !fit.converged && fit.iterations == 200);
    CU_ASSERT(row_missed(&fit, &below));
    fit = row_calibrate(d2, 5, &above, p, NULL);
    CU_ASSERT(fit.converged && !row_missed(&fit, &above));
    CU_ASSERT_DOUBLE_EQUAL(entropy_by_definition(p, 5), log2(3.0), 1e-5);
    d2[1] = 1.0 - ldexp(1.0, -53);
    CU_ASSERT_EQUAL(row_calibrate(d2, 5, &at_r, p, NULL).ties, 2);
    d2[1] = 1.000001;
    CU_ASSERT_EQUAL(row_calibrate(d2, 5, &at_r, p, NULL).ties, 1);
}
/* <<tests of the affinities>> */
static void test_symmetric_affinities(void)
{
    enum { N = 60, D = 7 };
    gsl_rng *rng = test_rng(5);
    gsl_matrix *x = gsl_matrix_alloc(N, D), *P = gsl_matrix_alloc(N, N);
    CU_ASSERT_FATAL(x != NULL && P != NULL);
    for (size_t k = 0; k < N * D; k++)
        x->data[k] = gsl_rng_uniform(rng) * (k % 3 + 1);
    Calibration cal = {12.0, 1e-5, 200};
    Row_fit fits[N];
    Error err = {""};
    CU_ASSERT_FATAL(symmetric_affinities(x, &cal, P, fits, &err) == 0);
    double total = 0.0;
    for (size_t i = 0; i < N; i++) {
        /* <<check the symmetry, the diagonal and the share of point [[i]]>> */
        double share = 0.0;
        for (size_t j = 0; j < N; j++) {
            double p_ij = gsl_matrix_get(P, i, j);
            CU_ASSERT(p_ij >= 0.0);
            CU_ASSERT_EQUAL(p_ij, gsl_matrix_get(P, j, i));
            total += p_ij;
            share += p_ij;
        }
        CU_ASSERT_EQUAL(gsl_matrix_get(P, i, i), 0.0);
        CU_ASSERT(share >= 1.0 / (2.0 * N) * (1.0 - 1e-12));     /* outlier floor */
    }
    CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-12);
    gsl_matrix_free(x);
    gsl_matrix_free(P);
    gsl_rng_free(rng);
}
/* <<tests of the affinities>> */
static void test_rejected_calibrations(void)
{
    Error err = {""};
    const Calibration good = {5.0, 1e-5, 200};
    CU_ASSERT(check_calibration(&good, 10, &err) == 0);
    const double bad[] = {0.0, -3.0, 1.0, 9.0, 12.0, NAN};   /* N = 10: 1 < P < 9 */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        Calibration cal = {bad[k], 1e-5, 200};
        err.msg[0] = '\0';
        CU_ASSERT(check_calibration(&cal, 10, &err) == -1);
        CU_ASSERT(strstr(err.msg, "perplexity") != NULL);
    }
    CU_ASSERT(check_calibration(&good, 2, &err) == -1);
    Calibration zero_tol = {5.0, 0.0, 200}, huge_tol = {5.0, 2.0, 200};
    Calibration no_steps = {5.0, 1e-5, 0};
    CU_ASSERT(check_calibration(&zero_tol, 10, &err) == -1);
    CU_ASSERT(check_calibration(&huge_tol, 10, &err) == -1);
    CU_ASSERT(check_calibration(&no_steps, 10, &err) == -1);
}
/* <<tests of the command line>> */
static void expect_rejection(const char *args, const char *needle)
{
    expect_rejection_of(args, needle, "out.tsv");
}

static void test_cli_bad_input(void)
{
    write_test_file("ragged.tsv", "1 2 3\n4 5\n");
    write_test_file("nan.tsv", "1 2\n3 nan\n4 5\n");
    write_test_file("word.tsv", "1 2\n3 x4\n4 5\n");
    write_test_file("empty.tsv", "# only a comment\n\n");
    write_test_file("five.tsv", "0 0\n1 0\n0 1\n1 1\n2 2\n");
    expect_rejection("--bogus", "unknown option");
    expect_rejection("--input", "needs a value");
    expect_rejection("--input missing.tsv -o out.tsv", "cannot open");
    expect_rejection("--input ragged.tsv -o out.tsv", "ragged");
    expect_rejection("--input nan.tsv -o out.tsv", "not finite");
    expect_rejection("--input word.tsv -o out.tsv", "not a number");
    expect_rejection("--input empty.tsv -o out.tsv", "no data rows");
    expect_rejection("--input five.tsv -p 4 -o out.tsv", "too large"); /* N-1 = 4 */
    expect_rejection("--input five.tsv -p 0 -o out.tsv", "too small");
    expect_rejection("--input five.tsv -p -2 -o out.tsv", "too small");
    expect_rejection("--input five.tsv -p abc -o out.tsv", "not a number");
    expect_rejection("--input five.tsv --tol 0 -o out.tsv", "--tol");
    expect_rejection("--input five.tsv --tol 2 -o out.tsv", "--tol");
    expect_rejection("-o out.tsv", "need --input");
    expect_rejection("--perplexity 5", "need --input");
    expect_rejection("--input five.tsv stray -o out.tsv", "unexpected argument");
    expect_rejection("-zh", "unknown option '-z'");
    /* <<more bad inputs: overflow, empty fields, clobbering, write errors>> */
    write_test_file("huge.tsv", "0 0\n1e200 0\n0 1\n1 1\n5 5\n");
    write_test_file("gap.csv", "0,,0\n1,,0\n0,,3\n5,,5\n");
    expect_rejection("--input huge.tsv -p 1.5 -o out.tsv", "overflows");
    expect_rejection("--input gap.csv -p 1.5 -o out.tsv", "column 2 is empty");
    expect_rejection("--input five.tsv -p 2 -o five.tsv", "overwrite an input");
    expect_rejection("--input five.tsv -p 2 -o out.tsv --rows out.tsv", "same file");
    expect_rejection("--input five.tsv -p 2 -o out.tsv --rows /dev/full",
                     "error writing");
    Run r = run_program_to("", "/dev/full");
    CU_ASSERT(r.status == 1 && strstr(r.err, "standard output") != NULL);
}
/* <<tests of the command line>> */
static void test_cli_bad_outputs(void)
{
    write_test_file("five.tsv", "0 0\n1 0\n0 1\n1 1\n2 2\n");
    const char *run[] = {"--output", "--rows"};
    const char *examples[] = {"--macros", "--curve", "--values"};
    expect_outputs_refused("--input five.tsv -p 2", run, 2);
    expect_outputs_refused("", examples, 3);
}
/* <<tests of the command line>> */
static void test_cli_good_input(void)
{
    Run r = run_program("--help");
    CU_ASSERT(r.status == 0);
    const char *names[] = {"--input", "--perplexity", "--output", "--conditional",
                           "--rows", "--tol", "--max-iter", "--macros", "--curve",
                           "--values", "--help"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        CU_ASSERT(strstr(r.out, names[k]) != NULL);
    write_test_file("square.tsv", "0 0\n1 0\n0 1\n1 1\n");   /* r = 2 everywhere */
    r = run_program("--input square.tsv --perplexity 2 -o sq.tsv");
    CU_ASSERT(r.status == 2 && strstr(r.err, "4 of 4 rows missed") != NULL);
    CU_ASSERT(strstr(r.err, "in 4 of them") != NULL && count_lines(r.err) == 1);
    write_test_file("five.tsv", "# five points\n0 0\n1 0\n0 1\n1 1\n2 2\n");
    r = run_program("--input five.tsv --perplexity 2.5 -o out.tsv --rows rows.tsv");
    CU_ASSERT(r.status == 0);
    CU_ASSERT(test_file_exists("out.tsv") && test_file_exists("rows.tsv"));
    char path[1024];
    snprintf(path, sizeof path, "%s/out.tsv", getenv("TESTDIR"));
    gsl_matrix *P = gsl_matrix_alloc(5, 5);
    FILE *fp = fopen(path, "r");
    CU_ASSERT_FATAL(P != NULL && fp != NULL);
    CU_ASSERT(gsl_matrix_fscanf(fp, P) == GSL_SUCCESS);
    fclose(fp);
    double total = 0.0;
    for (size_t k = 0; k < 25; k++)
        total += P->data[k];
    CU_ASSERT_DOUBLE_EQUAL(total, 1.0, 1e-8);
    gsl_matrix_free(P);
}
/* <<run every suite>> */
int main(void)
{
    static const char *const suites[] = {"23.1 affinities",
                                         "23.1 perplexity command line"};
    static const Test_entry tests[] = {
        {0, "worked example 23.1A against its closed form", test_example_A},
        {0, "dH/dbeta = -beta Var(d^2) / ln 2", test_entropy_derivative},
        {0, "row entropy increases with sigma", test_entropy_increases_with_sigma},
        {0, "bisection: 50 points, perplexity 5, 25, 45",
         test_bisection_random_points},
        {0, "bisection: the underflow row reaches 30", test_underflow_row},
        {0, "bisection: rescaled rows take the same steps",
         test_search_ignores_units},
        {0, "limit case: Perp <= r tied neighbours is missed", test_limit_case},
        {0, "symmetric P: symmetric, >= 0, zero diagonal, sum 1",
         test_symmetric_affinities},
        {0, "impossible perplexities are refused", test_rejected_calibrations},
        {1, "bad input: one message, exit 1, no output", test_cli_bad_input},
        {1, "bad output names: refused before any work, nothing left",
         test_cli_bad_outputs},
        {1, "good input: help, a 5 x 5 matrix", test_cli_good_input}};
    return run_test_table(suites, 2, tests, sizeof tests / sizeof tests[0]);
}
