/* test-support.c -- CUnit tests of the code shared by the programs.
 * Tangled from chapters/support.nw; every expected value is worked out by
 * hand in the comments. */
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
/* <<checked allocation of a GSL matrix>> */
static gsl_matrix *alloc_matrix(size_t rows, size_t cols, Error *err)
{
    if (rows == 0 || cols == 0) {
        fail(err, "cannot allocate an empty %zu x %zu matrix", rows, cols);
        return NULL;
    }
    if (rows > SIZE_MAX / cols / sizeof(double)) {
        fail(err, "cannot allocate a %zu x %zu matrix: size overflows", rows, cols);
        return NULL;
    }
    gsl_block *b = gsl_block_alloc(rows * cols);
    gsl_matrix *m = b ? gsl_matrix_alloc_from_block(b, 0, rows, cols, cols) : NULL;
    if (m == NULL) {
        if (b != NULL)
            gsl_block_free(b);
        fail(err, "out of memory (%zu x %zu matrix)", rows, cols);
        return NULL;
    }
    m->owner = 1;
    return m;
}
/* <<read a matrix of numbers>> */
/* <<read a matrix of numbers from a stream>> */
/* <<parse one line of numbers into a growing array>> */
typedef struct {
    double *v;
    size_t n, cap;
} Numbers;

static int push_number(Numbers *nums, double x, Error *err)
{
    double *v = grow_array(nums->v, &nums->cap, nums->n + 1, sizeof *v, err);
    if (v == NULL)
        return -1;
    nums->v = v;
    nums->v[nums->n++] = x;
    return 0;
}

/* <<classify what strtod returned>> */
enum { NUMBER_OK, NUMBER_NOT_FINITE, NUMBER_OUT_OF_RANGE };
static const char *const number_problem[] = {
    "", "is not finite", "is out of the range of a double"};

static int number_kind(double x, int errno_after)
{
    if (errno_after == ERANGE && (isinf(x) || x == 0.0))
        return NUMBER_OUT_OF_RANGE;       /* overflow, or underflow to zero */
    if (!isfinite(x))
        return NUMBER_NOT_FINITE;         /* "nan" or "inf" written out */
    return NUMBER_OK;                     /* subnormals included */
}
/* <<parse one field as a finite number>> */
static int parse_field(char *p, char *end, const char *path, size_t lineno,
                       size_t col, Numbers *nums, Error *err)
{
    if (end == p)
        return fail(err, "%s:%zu: column %zu is empty", path, lineno, col);
    char saved = *end, *stop;
    *end = '\0';
    errno = 0;
    double x = strtod(p, &stop);
    bool ascii = true;
    for (const char *c = p; *c; c++)
        ascii &= (unsigned char)*c < 128;
    int status = 0, kind = number_kind(x, errno);
    if (stop != end)
        status = fail(err, "%s:%zu: column %zu: '%s' is not a number%s",
                      path, lineno, col, p,
                      ascii ? "" : " (it contains a non-ASCII character)");
    else if (kind != 0)
        status = fail(err, "%s:%zu: column %zu: value '%s' %s", path, lineno, col,
                      p, number_problem[kind]);
    *end = saved;
    return status == 0 ? push_number(nums, x, err) : status;
}

static int parse_numbers(char *line, const char *path, size_t lineno,
                         Numbers *nums, Error *err)
{
    char *p = line + strspn(line, " \t\r\n\v\f");
    if (*p == '#' || *p == '\0')
        return 0;                                   /* a comment or a blank line */
    for (size_t col = 1;; col++) {
        char *end = p + strcspn(p, " \t\r\n\v\f,#");
        if (parse_field(p, end, path, lineno, col, nums, err) != 0)
            return -1;
        p = end + strspn(end, " \t\r\n\v\f");
        if (*p == ',')
            p += 1 + strspn(p + 1, " \t\r\n\v\f");
        else if (*p == '\0' || *p == '#')
            return 0;
    }
}
/* <<check the shape of a row>> */
static int check_row_shape(const char *path, size_t lineno, size_t ncols,
                           size_t *rows, size_t *cols, Error *err)
{
    if (*rows == 0)
        *cols = ncols;
    else if (ncols != *cols)
        return fail(err, "%s:%zu: ragged rows: this row has %zu columns, "
                    "the first had %zu", path, lineno, ncols, *cols);
    (*rows)++;
    return 0;
}

static gsl_matrix *read_matrix_stream(FILE *fp, const char *path, Error *err)
{
    Numbers nums = {NULL, 0, 0};
    size_t rows = 0, cols = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, fp)) != -1) {
        size_t before = nums.n;
        lineno++;
        /* <<refuse a line with a NUL byte, and skip a byte-order mark>> */
        if (strlen(line) != (size_t)len) {
            status = fail(err, "%s:%zu: contains a NUL byte (is it a text file?)",
                          path, lineno);
            break;
        }
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        status = parse_numbers(text, path, lineno, &nums, err);
        if (status == 0 && nums.n > before)
            status = check_row_shape(path, lineno, nums.n - before,
                                     &rows, &cols, err);
    }
    if (status == 0 && ferror(fp))
        status = fail(err, "error reading '%s': %s", path, strerror(errno));
    free(line);
    /* <<turn the numbers into a matrix, or report an empty file>> */
    gsl_matrix *m = NULL;
    if (status == 0 && rows == 0)
        fail(err, "'%s' contains no data rows", path);
    else if (status == 0 && (m = alloc_matrix(rows, cols, err)) != NULL)
        memcpy(m->data, nums.v, rows * cols * sizeof *nums.v);   /* tda == cols */
    free(nums.v);
    return m;
}

static gsl_matrix *read_matrix(const char *path, Error *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fail(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    gsl_matrix *m = read_matrix_stream(fp, path, err);
    fclose(fp);
    return m;
}
/* <<parse numeric options>> */
/* <<parse a real-number option>> */
static int parse_double(const char *arg, const char *option, double *out, Error *err)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    int kind = number_kind(x, errno);
    if (end == arg || *end != '\0')
        return fail(err, "%s: '%s' is not a number", option, arg);
    if (kind != NUMBER_OK)
        return fail(err, "%s: value '%s' %s", option, arg, number_problem[kind]);
    *out = x;
    return 0;
}
/* <<parse a whole-number option>> */
static int parse_count(const char *arg, const char *option, long lo, long hi,
                       long *out, Error *err)
{
    char *end;
    errno = 0;
    long x = strtol(arg, &end, 10);
    if (end == arg || *end != '\0')
        return fail(err, "%s: '%s' is not a whole number", option, arg);
    if (errno == ERANGE || x < lo || x > hi)
        return fail(err, "%s: %s is out of range [%ld, %ld]", option, arg, lo, hi);
    *out = x;
    return 0;
}
/* <<write numbers as LaTeX macros>> */
static void tex_number(char *buf, size_t size, double x, int digits)
{
    if (!isfinite(x)) {                 /* never expected, but never a crash */
        snprintf(buf, size, "%s", isnan(x) ? "\\mathrm{NaN}"
                                  : x > 0  ? "\\infty" : "-\\infty");
        return;
    }
    if (x == 0.0) {
        snprintf(buf, size, "0");
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, x);
    char *e = strchr(tmp, 'e');
    int e10 = atoi(e + 1);              /* the exponent after rounding */
    if (fabs(x) >= 1e-3 && fabs(x) < 1e6 && e10 <= digits - 1) {
        snprintf(buf, size, "%.*f", digits - 1 - e10, x);
        return;
    }
    *e = '\0';
    snprintf(buf, size, "%s\\times10^{%d}", tmp, e10);
}

static void tex_macro(FILE *fp, const char *name, double x, int digits)
{
    char buf[96];
    tex_number(buf, sizeof buf, x, digits);
    fprintf(fp, "\\newcommand{\\%s}{\\ensuremath{%s}}\n", name, buf);
}

static void tex_macro_int(FILE *fp, const char *name, long n)
{
    fprintf(fp, "\\newcommand{\\%s}{%ld}\n", name, n);
}
/* <<write output files safely>> */
typedef struct {
    FILE *fp;               /* NULL when not open */
    const char *name;       /* as the user gave it, for messages */
    char *path;             /* destination, resolved; NULL unless via a temporary */
    char *tmp;              /* temporary file while open */
} Outfile;

static Outfile outfile_none(void)
{
    return (Outfile){NULL, NULL, NULL, NULL};
}

/* <<open an output file>> */
static int outfile_open(Outfile *o, const char *name, Error *err)
{
    *o = outfile_none();
    o->name = name;
    if (name[0] == '\0')               /* else the temporary is ".tmp-XXXXXX" */
        return fail(err, "an output file name is empty");
    struct stat st;
    bool exists = stat(name, &st) == 0;
    if (strcmp(name, "-") == 0) {
        o->fp = stdout;
        return 0;
    }
    if (exists && S_ISDIR(st.st_mode))
        return fail(err, "cannot write '%s': it is a directory", name);
    if (exists && !S_ISREG(st.st_mode)) {           /* a device or a pipe */
        if ((o->fp = fopen(name, "w")) == NULL)
            return fail(err, "cannot open '%s': %s", name, strerror(errno));
        return 0;
    }
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
    o->path = exists ? realpath(name, NULL) : strdup(name);
    size_t len = o->path ? strlen(o->path) + sizeof ".tmp-XXXXXX" : 0;
    if (o->path == NULL || (o->tmp = alloc_array(len, 1, err)) == NULL) {
        free(o->path);
        *o = outfile_none();
        return fail(err, "cannot create '%s': out of memory", name);
    }
    snprintf(o->tmp, len, "%s.tmp-XXXXXX", o->path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || fchmod(fd, mode) != 0 || (o->fp = fdopen(fd, "w")) == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            remove(o->tmp);
        }
        free(o->tmp);
        free(o->path);
        *o = outfile_none();
        return fail(err, "cannot create '%s': %s", name, strerror(e));
    }
    return 0;
}
/* <<close every output file and move each into place>> */
static void outfiles_abort(Outfile *o, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (o[k].fp != NULL && o[k].fp != stdout)
            fclose(o[k].fp);
        if (o[k].tmp != NULL)
            remove(o[k].tmp);
        free(o[k].tmp);
        free(o[k].path);
        o[k] = outfile_none();
    }
}

static int outfiles_commit(Outfile *o, size_t n, Error *err)
{
    for (size_t k = 0; k < n; k++) {
        if (o[k].fp == NULL)
            continue;
        errno = 0;
        bool bad = ferror(o[k].fp) != 0;
        bad |= o[k].fp == stdout ? fflush(stdout) != 0 : fclose(o[k].fp) != 0;
        int e = errno;
        if (o[k].fp != stdout)
            o[k].fp = NULL;
        if (bad) {
            fail(err, "error writing %s%s%s: %s", o[k].fp == stdout ? "" : "'",
                 o[k].fp == stdout ? "standard output" : o[k].name,
                 o[k].fp == stdout ? "" : "'", e ? strerror(e) : "I/O error");
            outfiles_abort(o, n);
            return -1;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (o[k].tmp != NULL && rename(o[k].tmp, o[k].path) != 0) {
            fail(err, "cannot replace '%s': %s", o[k].name, strerror(errno));
            outfiles_abort(o + k, n - k);
            return -1;
        }
        free(o[k].tmp);
        free(o[k].path);
        o[k] = outfile_none();
    }
    return 0;
}
/* <<check that every output can be written>> */
static int check_output_name(const char *option, const char *name, Error *err)
{
    char who[64] = "";
    if (option != NULL)
        snprintf(who, sizeof who, "%s: ", option);
    struct stat st;
    if (name == NULL || strcmp(name, "-") == 0)
        return 0;
    if (name[0] == '\0')
        return fail(err, "%sthe output file name is empty", who);
    const bool exists = stat(name, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return fail(err, "%scannot write '%s': it is a directory", who, name);
    if (exists && !S_ISREG(st.st_mode))
        return access(name, W_OK) == 0 ? 0
               : fail(err, "%scannot write '%s': %s", who, name, strerror(errno));
    if (name[strlen(name) - 1] == '/')
        return fail(err, "%scannot write '%s': it names a directory", who, name);
    /* <<check the directory that will hold the output>> */
    char *path = exists ? realpath(name, NULL) : strdup(name);
    if (path == NULL)
        return fail(err, "%scannot resolve '%s': %s", who, name, strerror(errno));
    char *slash = strrchr(path, '/');
    const char *dir = slash == NULL ? "." : slash == path ? "/" : path;
    if (slash != NULL && slash != path)
        *slash = '\0';
    int status = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        status = fail(err, "%scannot write '%s': the directory '%s' does not exist",
                      who, name, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        status = fail(err, "%scannot write '%s' in '%s': %s", who, name, dir,
                      strerror(errno));
    free(path);
    return status;
}

/* The names of n outputs, with the options that gave them (or NULL). */
static int check_output_names(const char *const *options, const char *const *names,
                              int n, Error *err)
{
    for (int k = 0; k < n; k++)
        if (check_output_name(options ? options[k] : NULL, names[k], err) != 0)
            return -1;
    return 0;
}
/* <<open the fuzzer's bytes as a stream>> */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *fuzz_stream(const uint8_t *data, size_t size)
{
    static const char nothing[1] = "";
    FILE *fp = size > 0 ? fmemopen((void *)data, size, "rb")
                        : fmemopen((void *)nothing, 1, "rb");
    if (fp != NULL && size == 0)
        (void)fgetc(fp);
    return fp;
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
/* <<tests of the shared code>> */
static void expect_tex(double x, int digits, const char *want)
{
    char buf[96];
    tex_number(buf, sizeof buf, x, digits);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\n  tex_number(%.17g, %d) = %s, want %s", x, digits, buf, want);
}

static void test_tex_number(void)
{
    expect_tex(9.9996, 3, "10.0");          /* rounds up to 10.0: three digits */
    expect_tex(0.99996, 3, "1.00");
    expect_tex(-9.9996, 3, "-10.0");
    expect_tex(999.96, 4, "1000");          /* 1.000e3: four digits, no point */
    expect_tex(3.14159, 3, "3.14");
    expect_tex(0.001, 2, "0.0010");
    expect_tex(162755.0, 2, "1.6\\times10^{5}");    /* more digits than it has */
    expect_tex(999999.7, 3, "1.00\\times10^{6}");
    expect_tex(3.0712e-6, 3, "3.07\\times10^{-6}");
    expect_tex(0.00099996, 3, "1.00\\times10^{-3}");
    expect_tex(0.0, 3, "0");
    expect_tex(12.0, 2, "12");
}

static void test_tex_macro(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    CU_ASSERT_FATAL(fp != NULL);
    tex_macro(fp, "Pi", 3.14159, 3);
    tex_macro_int(fp, "Count", -42);
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(text, "\\newcommand{\\Pi}{\\ensuremath{3.14}}\n"
                                 "\\newcommand{\\Count}{-42}\n");
    free(text);
}
/* <<tests of the shared code>> */
static void test_number_range(void)
{
    Error err = {""};
    double x = 0.0;
    CU_ASSERT(parse_double("1e-310", "--x", &x, &err) == 0 && x > 0 && x < DBL_MIN);
    CU_ASSERT(parse_double("0x1p-1074", "--x", &x, &err) == 0 && x == ldexp(1.0, -1074));
    CU_ASSERT(parse_double("-0", "--x", &x, &err) == 0 && x == 0.0);
    CU_ASSERT(parse_double("0e-99999", "--x", &x, &err) == 0 && x == 0.0);
    const char *bad[] = {"1e400", "-1e400", "1e-400", "nan", "inf", "", "1 ", "1e", "x"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CU_ASSERT(parse_double(bad[k], "--x", &x, &err) == -1);
}

static void test_same_wording(void)
{
    const char *words[] = {"1e400", "1e-400", "nan"};
    for (size_t k = 0; k < 3; k++) {
        Error e1 = {""}, e2 = {""};
        double x;
        char text[32];
        snprintf(text, sizeof text, "%s\n", words[k]);
        FILE *fp = fuzz_stream((const uint8_t *)text, strlen(text));
        CU_ASSERT(read_matrix_stream(fp, "f", &e1) == NULL);
        fclose(fp);
        CU_ASSERT(parse_double(words[k], "--x", &x, &e2) == -1);
        /* "f:1: column 1: value 'W' ..." and "--x: value 'W' ..." end alike */
        const char *t1 = strstr(e1.msg, "value '"), *t2 = strstr(e2.msg, "value '");
        CU_ASSERT(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0);
    }
}
/* <<tests of the shared code>> */
static void test_read_stream(void)
{
    const char *text = "# two rows\n1e-310, 2\n-0x1.8p1 4.5e0\n";
    Error err = {""};
    FILE *fp = fuzz_stream((const uint8_t *)text, strlen(text));
    gsl_matrix *m = read_matrix_stream(fp, "s", &err);
    fclose(fp);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT(m->size1 == 2 && m->size2 == 2);
    CU_ASSERT(gsl_matrix_get(m, 0, 0) == 1e-310 && gsl_matrix_get(m, 0, 1) == 2.0);
    CU_ASSERT(gsl_matrix_get(m, 1, 0) == -3.0 && gsl_matrix_get(m, 1, 1) == 4.5);
    gsl_matrix_free(m);
}

static void test_file_and_count(void)
{
    Error err = {""};
    CU_ASSERT(read_matrix("/nonexistent/points.txt", &err) == NULL);
    CU_ASSERT(strstr(err.msg, "cannot open '/nonexistent/points.txt'") != NULL);
    long n = 0;
    CU_ASSERT(parse_count("7", "--k", 1, 10, &n, &err) == 0 && n == 7);
    CU_ASSERT(parse_count("0", "--k", 1, 10, &n, &err) == -1);
    CU_ASSERT(parse_count("11", "--k", 1, 10, &n, &err) == -1);
    CU_ASSERT(parse_count("99999999999999999999", "--k", 1, 10, &n, &err) == -1);
    CU_ASSERT(parse_count("3.0", "--k", 1, 10, &n, &err) == -1);
}

/* 2^62 x 2 doubles need 2^66 bytes, more than a size_t can count; 2^40 x 3
   doubles (24 TiB) can be counted but not had. */
static void test_alloc_matrix(void)
{
    Error err = {""};
    CU_ASSERT(alloc_matrix((size_t)1 << 62, 2, &err) == NULL);
    CU_ASSERT(strstr(err.msg, "overflows") != NULL);
    CU_ASSERT(alloc_matrix(SIZE_MAX, SIZE_MAX, &err) == NULL);
    CU_ASSERT(alloc_matrix(0, 3, &err) == NULL);
    gsl_matrix *m = alloc_matrix(3, 2, &err);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT(m->size1 == 3 && m->size2 == 2 && m->tda == 2 && m->owner == 1);
    gsl_matrix_free(m);                 /* frees the block too: LeakSanitizer */
}

/* The capacities follow from the rule in the text: 16 first, then doubling
   until the need is met; a need whose size in bytes cannot be counted fails
   and leaves the array as it was. */
static void test_grow_array(void)
{
    Error err = {""};
    size_t cap = 0;
    double *a = grow_array(NULL, &cap, 1, sizeof *a, &err);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(cap == 16);
    a[0] = 7.0;
    CU_ASSERT(grow_array(a, &cap, 16, sizeof *a, &err) == a && cap == 16);
    double *b = grow_array(a, &cap, 17, sizeof *a, &err);
    CU_ASSERT_FATAL(b != NULL);
    a = b;
    CU_ASSERT(cap == 32 && a[0] == 7.0);
    CU_ASSERT((b = grow_array(a, &cap, 1000, sizeof *a, &err)) != NULL && cap == 1024);
    a = b != NULL ? b : a;
    CU_ASSERT(grow_array(a, &cap, SIZE_MAX / 4, sizeof *a, &err) == NULL);
    CU_ASSERT(strstr(err.msg, "overflows") != NULL);
    CU_ASSERT(cap == 1024 && a[0] == 7.0);          /* untouched on failure */
    free(a);
}

static void test_output_names(void)
{
    Error err = {""};
    Outfile o;
    CU_ASSERT(outfile_open(&o, "", &err) == -1);
    CU_ASSERT(check_output_name("--out", "", &err) == -1);
    CU_ASSERT(strcmp(err.msg, "--out: the output file name is empty") == 0);
    CU_ASSERT(check_output_name(NULL, "/", &err) == -1);
    CU_ASSERT(strstr(err.msg, "is a directory") != NULL);
    CU_ASSERT(check_output_name(NULL, "/nonexistent-dir/x", &err) == -1);
    CU_ASSERT(strstr(err.msg, "does not exist") != NULL);
    CU_ASSERT(check_output_name(NULL, "x/", &err) == -1);
    CU_ASSERT(check_output_name(NULL, "-", &err) == 0);
    CU_ASSERT(check_output_name(NULL, "/dev/null", &err) == 0);
    CU_ASSERT(check_output_name(NULL, NULL, &err) == 0);
    const char *names[] = {"-", NULL, ""};
    CU_ASSERT(check_output_names(NULL, names, 3, &err) == -1);
    const char *options[] = {"-o", "--a", "--b"};
    CU_ASSERT(check_output_names(options, names, 3, &err) == -1);
    CU_ASSERT(strcmp(err.msg, "--b: the output file name is empty") == 0);
}

static void test_commit(void)
{
    char dir[] = "/tmp/test-support-XXXXXX", a[64], b[64];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    Error err = {""};
    Outfile o[2];
    CU_ASSERT_FATAL(outfile_open(&o[0], a, &err) == 0 && outfile_open(&o[1], b, &err) == 0);
    fputs("one\n", o[0].fp);
    CU_ASSERT(access(a, F_OK) != 0);    /* nothing in place before the commit */
    outfiles_abort(o, 2);
    CU_ASSERT(access(a, F_OK) != 0 && access(b, F_OK) != 0);
    CU_ASSERT_FATAL(outfile_open(&o[0], a, &err) == 0 && outfile_open(&o[1], b, &err) == 0);
    fputs("one\n", o[0].fp);
    fputs("two\n", o[1].fp);
    CU_ASSERT(outfiles_commit(o, 2, &err) == 0);
    CU_ASSERT(access(a, F_OK) == 0 && access(b, F_OK) == 0);
    remove(a);
    remove(b);
    CU_ASSERT(rmdir(dir) == 0);         /* and no temporary is left beside them */
}

int main(void)
{
    static const char *const suites[] = {"numbers for the book", "reading numbers"};
    static const Test_entry tests[] = {
        {0, "tex_number rounds, then chooses the notation", test_tex_number},
        {1, "subnormals are numbers, overflow and underflow are not",
         test_number_range},
        {1, "files and options word a bad number alike", test_same_wording},
        {0, "a macro is one \\newcommand line", test_tex_macro},
        {1, "the reader reads a stream once", test_read_stream},
        {1, "a missing file and whole-number options", test_file_and_count},
        {1, "matrices too large to allocate are refused", test_alloc_matrix},
        {1, "a growing array doubles, and refuses sizes it cannot count",
         test_grow_array},
        {1, "output names are judged before any work", test_output_names},
        {1, "outputs are committed together, or not at all", test_commit},
    };
    return run_test_table(suites, 2, tests, sizeof tests / sizeof tests[0]);
}
