/* fuzz-trace.c -- libFuzzer target for the trace reader of section 23.4.
 * Tangled from chapters/p4-attention.nw and chapters/23-4-attention.nw. */
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
#include <ctype.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

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
/* <<the music generator>> */
enum { STRONG, MEDIUM, WEAK, ACCENTS };
enum { ROOTS = 12, HOLD = ROOTS, HARMONIES = ROOTS + 1,
       VOCAB = ACCENTS * HARMONIES, MAX_LENGTH = 128 };

typedef struct {
    int metre;          /* steps per bar, 3 or 4; 0 draws one per sequence */
    int phase;          /* position in the bar of the first step; -1 draws it */
    double p_change;    /* probability that the chord changes at a step */
    double p_fifth;     /* probability that a change moves by a fifth */
} Music_gen;

typedef struct {
    int length, metre, phase;
    int accent[MAX_LENGTH], harmony[MAX_LENGTH];
} Tokseq;
/* <<the music generator>> */
static const int accent_pattern[2][4] = {{STRONG, WEAK, WEAK, -1},
                                         {STRONG, WEAK, MEDIUM, WEAK}};

static int token_of(const Tokseq *s, int t)
{
    return s->accent[t] * HARMONIES + s->harmony[t];
}
/* <<the music generator>> */
static int next_root(int root, const Music_gen *m, gsl_rng *rng)
{
    static const int other[ROOTS - 3] = {1, 2, 3, 4, 6, 8, 9, 10, 11};
    double u = gsl_rng_uniform(rng);
    if (u < m->p_fifth)
        return (root + (u < 0.5 * m->p_fifth ? 7 : 5)) % ROOTS;
    return (root + other[gsl_rng_uniform_int(rng, ROOTS - 3)]) % ROOTS;
}
/* <<the music generator>> */
static void music_draw(const Music_gen *m, int length, gsl_rng *rng, Tokseq *s)
{
    s->length = length;
    s->metre = m->metre ? m->metre : 3 + (int)gsl_rng_uniform_int(rng, 2);
    s->phase = m->phase >= 0 ? m->phase % s->metre
                             : (int)gsl_rng_uniform_int(rng, (unsigned)s->metre);
    int root = (int)gsl_rng_uniform_int(rng, ROOTS);
    for (int t = 0; t < length; t++) {
        s->accent[t] = accent_pattern[s->metre - 3][(s->phase + t) % s->metre];
        bool change = t > 0 && gsl_rng_uniform(rng) < m->p_change;
        if (change)
            root = next_root(root, m, rng);
        s->harmony[t] = t == 0 || change ? root : HOLD;
    }
}
/* <<the best possible losses>> */
static double entropy_of(const double *p, int n)
{
    double h = 0.0;
    for (int k = 0; k < n; k++)
        h -= p[k] > 0.0 ? p[k] * log(p[k]) : 0.0;
    return h;
}

static double move_entropy(const Music_gen *m)
{
    double move[ROOTS - 1] = {0.5 * m->p_fifth, 0.5 * m->p_fifth};
    for (int k = 2; k < ROOTS - 1; k++)
        move[k] = (1.0 - m->p_fifth) / (ROOTS - 3);
    return entropy_of(move, ROOTS - 1);
}

static double harmony_floor(const Music_gen *m)
{
    double q = m->p_change, hq[2] = {q, 1.0 - q};
    return entropy_of(hq, 2) + q * move_entropy(m);
}
/* <<the best possible losses>> */
static double plateau_loss(const Music_gen *m, int T)
{
    double q = m->p_change, hq[2] = {q, 1.0 - q}, sum = 0.0;
    for (int t = 0; t + 1 < T; t++) {
        double known = t == 0 ? 1.0 : q;        /* the current token is a change */
        sum += entropy_of(hq, 2)
               + q * (known * move_entropy(m) + (1.0 - known) * log(ROOTS));
    }
    return sum / (T - 1);
}
/* <<the best possible losses>> */
static void set_harmony_losses(const Music_gen *m, const Tokseq *set, long n,
                               double out[2])
{
    const double q = m->p_change;
    out[0] = out[1] = 0.0;
    for (long i = 0; i < n; i++) {
        const Tokseq *s = &set[i];
        int root = s->harmony[0];                   /* the first token is a change */
        for (int t = 1; t < s->length; t++) {
            int h = s->harmony[t], step = (h - root + ROOTS) % ROOTS;
            double p = h == HOLD ? 1.0 - q
                     : q * (step == 5 || step == 7 ? m->p_fifth / 2
                                                   : (1 - m->p_fifth) / (ROOTS - 3));
            bool known = s->harmony[t - 1] != HOLD;  /* the root is in view */
            double blind = h == HOLD || known ? p : q / ROOTS;
            out[0] -= log(p) / ((s->length - 1) * (double)n);
            out[1] -= log(blind) / ((s->length - 1) * (double)n);
            root = h == HOLD ? root : h;
        }
    }
}
/* <<the best possible losses>> */
static double pair_prior(const Music_gen *m, int M, int ph)
{
    if ((m->metre && m->metre != M) || (m->phase >= 0 && m->phase % M != ph))
        return 0.0;
    return (m->metre ? 1.0 : 0.5) * (m->phase >= 0 ? 1.0 : 1.0 / M);
}

static double rhythm_floor(const Music_gen *m, int T)
{
    double loss = 0.0;
    for (int M = 3; M <= 4; M++)
        for (int ph = 0; ph < M; ph++) {
            double prior = pair_prior(m, M, ph);
            if (prior > 0.0)
                /* <<add the loss of the best predictor on metre [[M]], phase [[ph]]>> */
                for (int t = 0; t + 1 < T; t++) {
                    double agree = 0.0, total = 0.0;
                    for (int M2 = 3; M2 <= 4; M2++)
                        for (int p2 = 0; p2 < M2; p2++) {
                            bool same = true;
                            for (int u = 0; u <= t && same; u++)
                                same = accent_pattern[M2 - 3][(p2 + u) % M2]
                                       == accent_pattern[M - 3][(ph + u) % M];
                            double w = same ? pair_prior(m, M2, p2) : 0.0;
                            total += w;
                            agree += accent_pattern[M2 - 3][(p2 + t + 1) % M2]
                                     == accent_pattern[M - 3][(ph + t + 1) % M] ? w : 0.0;
                        }
                    loss -= prior * log(agree / total);
                }
        }
    return loss / (T - 1);
}
/* <<interface of the attention model>> */
enum { EMBED, POSITION, WQ, WK, WV, WO, U_RHYTHM, B_RHYTHM, U_HARMONY, B_HARMONY,
       NBLOCKS };
static const char *const block_name[NBLOCKS] = {
    "embed", "position", "wq", "wk", "wv", "wo",
    "u-rhythm", "b-rhythm", "u-harmony", "b-harmony"};

typedef struct {
    int d, heads, length;       /* d_model, number of heads H, sequence length T */
} Shape;

typedef struct {
    Shape s;
    size_t n;                   /* number of parameters */
    size_t off[NBLOCKS], rows[NBLOCKS], cols[NBLOCKS];
    double *theta;              /* all parameters, block after block */
} Model;
/* <<interface of the attention model>> */
typedef struct {
    int T, d, heads, dk;
    gsl_matrix *X, *Q, *K, *V, *Z, *Y;      /* T x d */
    gsl_matrix *A[16];                      /* attention of each head, T x T */
    gsl_matrix *Pr, *Pc;                    /* predicted probabilities */
    gsl_matrix *dY, *dZ, *dQ, *dK, *dV, *dX, *dA, *dS, *dLr, *dLc;
} Attn_work;
/* <<check the shape of a model>> */
static int shape_check(Shape s, Error *err)
{
    if (s.heads < 1 || s.heads > 16)
        return fail(err, "the number of heads must lie in 1..16, got %d", s.heads);
    if (s.d < 1 || s.d > 512 || s.d % s.heads != 0)
        return fail(err, "d_model must lie in 1..512 and be a multiple of the "
                    "number of heads (%d), got %d", s.heads, s.d);
    if (s.length < 2 || s.length > MAX_LENGTH)
        return fail(err, "the sequence length must lie in 2..%d, got %d",
                    MAX_LENGTH, s.length);
    return 0;
}
/* <<allocate and free a model>> */
static void model_free(Model *m)
{
    if (m != NULL)
        free(m->theta);
    free(m);
}

static Model *model_alloc(Shape s, Error *err)
{
    if (shape_check(s, err) != 0)
        return NULL;
    Model *m = alloc_array(1, sizeof *m, err);
    if (m == NULL)
        return NULL;
    const size_t d = (size_t)s.d;
    const size_t rows[NBLOCKS] = {VOCAB, (size_t)s.length, d, d, d, d, d, 1, d, 1};
    const size_t cols[NBLOCKS] = {d, d, d, d, d, d, ACCENTS, ACCENTS,
                                  HARMONIES, HARMONIES};
    m->s = s;
    m->n = 0;
    for (int b = 0; b < NBLOCKS; b++) {
        m->off[b] = m->n;
        m->rows[b] = rows[b];
        m->cols[b] = cols[b];
        m->n += rows[b] * cols[b];
    }
    if ((m->theta = alloc_array(m->n, sizeof *m->theta, err)) == NULL) {
        free(m);
        return NULL;
    }
    return m;
}
/* <<allocate and free a workspace>> */
static void work_free(Attn_work *w)
{
    if (w == NULL)
        return;
    gsl_matrix *all[] = {w->X, w->Q, w->K, w->V, w->Z, w->Y, w->Pr, w->Pc, w->dY,
                         w->dZ, w->dQ, w->dK, w->dV, w->dX, w->dA, w->dS, w->dLr,
                         w->dLc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        gsl_matrix_free(all[k]);
    for (int h = 0; h < w->heads; h++)
        gsl_matrix_free(w->A[h]);
    free(w);
}
/* <<allocate and free a workspace>> */
static Attn_work *work_alloc(Shape s, Error *err)
{
    Attn_work *w = alloc_array(1, sizeof *w, err);
    if (w == NULL)
        return NULL;
    *w = (Attn_work){.T = s.length, .d = s.d, .heads = s.heads,
                     .dk = s.d / s.heads};
    size_t T = (size_t)s.length, d = (size_t)s.d;
    gsl_matrix **td[] = {&w->X, &w->Q, &w->K, &w->V, &w->Z, &w->Y, &w->dY,
                         &w->dZ, &w->dQ, &w->dK, &w->dV, &w->dX};
    bool ok = true;
    for (size_t k = 0; k < sizeof td / sizeof td[0]; k++)
        ok &= (*td[k] = alloc_matrix(T, d, err)) != NULL;
    for (int h = 0; h < s.heads; h++)
        ok &= (w->A[h] = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->dA = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->dS = alloc_matrix(T, T, err)) != NULL;
    ok &= (w->Pr = alloc_matrix(T, ACCENTS, err)) != NULL;
    ok &= (w->dLr = alloc_matrix(T, ACCENTS, err)) != NULL;
    ok &= (w->Pc = alloc_matrix(T, HARMONIES, err)) != NULL;
    ok &= (w->dLc = alloc_matrix(T, HARMONIES, err)) != NULL;
    if (!ok) {
        work_free(w);
        return NULL;
    }
    return w;
}
/* <<implementation of the attention model>> */
static gsl_matrix_view block_of(const Model *m, double *base, int b)
{
    return gsl_matrix_view_array(base + m->off[b], m->rows[b], m->cols[b]);
}

static const double sd_embed = 0.5;     /* the spread of the first embeddings */

static void model_init(Model *m, gsl_rng *rng)
{
    for (int b = 0; b < NBLOCKS; b++) {
        double sd = b <= POSITION ? sd_embed
                  : b == B_RHYTHM || b == B_HARMONY ? 0.0 : 1.0 / sqrt(m->s.d);
        for (size_t k = 0; k < m->rows[b] * m->cols[b]; k++)
            m->theta[m->off[b] + k] = sd * gsl_ran_gaussian_ziggurat(rng, 1.0);
    }
}
/* <<implementation of the attention model>> */
static void softmax_rows(gsl_matrix *M, size_t cols)
{
    for (size_t t = 0; t < M->size1; t++) {
        double *r = gsl_matrix_ptr(M, t, 0), mx = r[0], z = 0.0;
        for (size_t j = 1; j < cols; j++)
            mx = r[j] > mx ? r[j] : mx;
        for (size_t j = 0; j < cols; j++)
            z += (r[j] = exp(r[j] - mx));
        for (size_t j = 0; j < cols; j++)
            r[j] /= z;
    }
}
/* <<implementation of the attention model>> */
static int attend_heads(const Model *m, Attn_work *w, unsigned ablate)
{
    const size_t T = (size_t)w->T, dk = (size_t)w->dk;
    const double scale = 1.0 / sqrt((double)w->dk);
    int st = 0;
    for (int h = 0; h < w->heads; h++) {
        gsl_matrix_view Qh = gsl_matrix_submatrix(w->Q, 0, h * dk, T, dk),
                        Kh = gsl_matrix_submatrix(w->K, 0, h * dk, T, dk),
                        Vh = gsl_matrix_submatrix(w->V, 0, h * dk, T, dk),
                        Zh = gsl_matrix_submatrix(w->Z, 0, h * dk, T, dk);
        gsl_matrix *A = w->A[h];
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, scale, &Qh.matrix,
                             &Kh.matrix, 0.0, A);
        for (size_t t = 0; t < T; t++) {        /* the causal mask */
            gsl_vector_view row = gsl_matrix_row(A, t);
            gsl_matrix_view live = gsl_matrix_submatrix(A, t, 0, 1, t + 1);
            softmax_rows(&live.matrix, t + 1);
            for (size_t s = t + 1; s < T; s++)
                gsl_vector_set(&row.vector, s, 0.0);
        }
        if (ablate >> h & 1u)
            gsl_matrix_set_zero(&Zh.matrix);
        else
            st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, &Vh.matrix,
                                 0.0, &Zh.matrix);
    }
    (void)m;
    return st;
}
/* <<implementation of the attention model>> */
static int forward(const Model *m, const Tokseq *s, Attn_work *w, unsigned ablate)
{
    gsl_matrix_view E = block_of(m, m->theta, EMBED), P = block_of(m, m->theta,
                                                                   POSITION);
    for (int t = 0; t < w->T; t++)
        for (int j = 0; j < w->d; j++)
            gsl_matrix_set(w->X, t, j, gsl_matrix_get(&E.matrix, token_of(s, t), j)
                                       + gsl_matrix_get(&P.matrix, t, j));
    gsl_matrix_view Wq = block_of(m, m->theta, WQ), Wk = block_of(m, m->theta, WK),
                    Wv = block_of(m, m->theta, WV), Wo = block_of(m, m->theta, WO);
    int st = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wq.matrix, 0.0,
                            w->Q);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wk.matrix, 0.0,
                         w->K);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->X, &Wv.matrix, 0.0,
                         w->V);
    st |= attend_heads(m, w, ablate);
    gsl_matrix_memcpy(w->Y, w->X);                          /* the residual */
    st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Z, &Wo.matrix, 1.0,
                         w->Y);
    /* <<compute the two output distributions>> */
    gsl_matrix *out[2] = {w->Pr, w->Pc};
    const int ub[2][2] = {{U_RHYTHM, B_RHYTHM}, {U_HARMONY, B_HARMONY}};
    for (int f = 0; f < 2; f++) {
        gsl_matrix_view U = block_of(m, m->theta, ub[f][0]);
        gsl_matrix_view b = block_of(m, m->theta, ub[f][1]);
        for (size_t t = 0; t < out[f]->size1; t++) {
            gsl_vector_view row = gsl_matrix_row(out[f], t);
            gsl_vector_const_view b0 = gsl_matrix_const_row(&b.matrix, 0);
            gsl_vector_memcpy(&row.vector, &b0.vector);
        }
        st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Y, &U.matrix, 1.0,
                             out[f]);
        softmax_rows(out[f], out[f]->size2);
    }
    return st;
}
/* <<implementation of the attention model>> */
static void sequence_loss(const Attn_work *w, const Tokseq *s, double loss[2])
{
    loss[0] = loss[1] = 0.0;
    for (int t = 0; t + 1 < w->T; t++) {
        loss[0] -= log(gsl_matrix_get(w->Pr, t, s->accent[t + 1]));
        loss[1] -= log(gsl_matrix_get(w->Pc, t, s->harmony[t + 1]));
    }
    loss[0] /= w->T - 1;
    loss[1] /= w->T - 1;
}
/* <<implementation of the attention model>> */
static int back_through_heads(Attn_work *w)
{
    const size_t T = (size_t)w->T, dk = (size_t)w->dk;
    const double scale = 1.0 / sqrt((double)w->dk);
    int st = 0;
    for (int h = 0; h < w->heads; h++) {
        gsl_matrix_view Qh = gsl_matrix_submatrix(w->Q, 0, h * dk, T, dk),
                        Kh = gsl_matrix_submatrix(w->K, 0, h * dk, T, dk),
                        Vh = gsl_matrix_submatrix(w->V, 0, h * dk, T, dk),
                        dZh = gsl_matrix_submatrix(w->dZ, 0, h * dk, T, dk),
                        dQh = gsl_matrix_submatrix(w->dQ, 0, h * dk, T, dk),
                        dKh = gsl_matrix_submatrix(w->dK, 0, h * dk, T, dk),
                        dVh = gsl_matrix_submatrix(w->dV, 0, h * dk, T, dk);
        const gsl_matrix *A = w->A[h];
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &dZh.matrix, &Vh.matrix,
                             0.0, w->dA);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A, &dZh.matrix, 0.0,
                             &dVh.matrix);
        /* <<the softmax Jacobian: [[dS]] from [[dA]] and [[A]]>> */
        for (size_t t = 0; t < T; t++) {
            double dot = 0.0;
            for (size_t u = 0; u <= t; u++)
                dot += gsl_matrix_get(A, t, u) * gsl_matrix_get(w->dA, t, u);
            for (size_t u = 0; u < T; u++)
                gsl_matrix_set(w->dS, t, u, u <= t ? gsl_matrix_get(A, t, u)
                                           * (gsl_matrix_get(w->dA, t, u) - dot) : 0.0);
        }
        st |= gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, scale, w->dS, &Kh.matrix,
                             0.0, &dQh.matrix);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, scale, w->dS, &Qh.matrix,
                             0.0, &dKh.matrix);
    }
    return st;
}
/* <<implementation of the attention model>> */
static int backward(const Model *m, const Tokseq *s, Attn_work *w, double *grad,
                    double weight)
{
    const int T = w->T;
    int st = 0;
    /* <<the gradient of the loss with respect to the logits>> */
    gsl_matrix_memcpy(w->dLr, w->Pr);
    gsl_matrix_memcpy(w->dLc, w->Pc);
    for (int t = 0; t < T; t++) {
        if (t + 1 < T) {
            *gsl_matrix_ptr(w->dLr, t, s->accent[t + 1]) -= 1.0;
            *gsl_matrix_ptr(w->dLc, t, s->harmony[t + 1]) -= 1.0;
        }
        gsl_vector_view r = gsl_matrix_row(w->dLr, t), c = gsl_matrix_row(w->dLc, t);
        gsl_vector_scale(&r.vector, t + 1 < T ? weight / (T - 1) : 0.0);
        gsl_vector_scale(&c.vector, t + 1 < T ? weight / (T - 1) : 0.0);
    }
    /* <<back through the output layers to [[dY]]>> */
    const int ub[2][2] = {{U_RHYTHM, B_RHYTHM}, {U_HARMONY, B_HARMONY}};
    gsl_matrix *dL[2] = {w->dLr, w->dLc};
    for (int f = 0; f < 2; f++) {
        gsl_matrix_view gU = block_of(m, grad, ub[f][0]), U = block_of(m, m->theta,
                                                                       ub[f][0]);
        double *gb = grad + m->off[ub[f][1]];
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->Y, dL[f], 1.0,
                             &gU.matrix);
        for (int t = 0; t < T; t++)
            for (size_t j = 0; j < dL[f]->size2; j++)
                gb[j] += gsl_matrix_get(dL[f], t, j);
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dL[f], &U.matrix,
                             f == 0 ? 0.0 : 1.0, w->dY);
    }
    gsl_matrix_view gWo = block_of(m, grad, WO), Wo = block_of(m, m->theta, WO);
    st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->Z, w->dY, 1.0,
                         &gWo.matrix);
    st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->dY, &Wo.matrix, 0.0,
                         w->dZ);
    gsl_matrix_memcpy(w->dX, w->dY);                        /* the residual */
    st |= back_through_heads(w);
    /* <<back through the projections to [[dX]]>> */
    const int proj[3] = {WQ, WK, WV};
    gsl_matrix *dP[3] = {w->dQ, w->dK, w->dV};
    for (int k = 0; k < 3; k++) {
        gsl_matrix_view g = block_of(m, grad, proj[k]), W = block_of(m, m->theta,
                                                                     proj[k]);
        st |= gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->X, dP[k], 1.0,
                             &g.matrix);
        st |= gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dP[k], &W.matrix, 1.0,
                             w->dX);
    }
    /* <<back into the token and position embeddings>> */
    gsl_matrix_view gE = block_of(m, grad, EMBED), gP = block_of(m, grad, POSITION);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < w->d; j++) {
            double g = gsl_matrix_get(w->dX, t, j);
            *gsl_matrix_ptr(&gE.matrix, token_of(s, t), j) += g;
            *gsl_matrix_ptr(&gP.matrix, t, j) += g;
        }
    return st;
}
/* <<measuring specialisation>> */
static int last_change(const Tokseq *s, int t)
{
    while (s->harmony[t] == HOLD)
        t--;
    return t;
}
/* <<measuring specialisation>> */
typedef struct {
    double bar[2][4], change, nbar[2], nchange, onebar, nonebar;
} Mass_sums;

static void add_masses(const gsl_matrix *A, int T, const Tokseq *s, Mass_sums *ms)
{
    const int M = s->metre;
    for (int t = 0; t + 1 < T; t++) {
        int c = last_change(s, t);
        for (int u = 0; u <= t; u++) {
            double a = A != NULL ? gsl_matrix_get(A, t, u) : 1.0 / (t + 1);
            ms->bar[M - 3][(t - u) % M] += a;
            ms->change += u == c && c < t ? a : 0.0;
        }
        ms->nbar[M - 3] += 1.0;
        ms->nchange += c < t;
        if (t + 1 - M >= 0) {               /* the key one bar before t + 1 */
            ms->onebar += A != NULL ? gsl_matrix_get(A, t, t + 1 - M)
                                    : 1.0 / (t + 1);
            ms->nonebar += 1.0;
        }
    }
}
/* <<measuring specialisation>> */
static void masses_of(const Mass_sums *ms, double mass[2])
{
    double periodic = 0.0, n = ms->nbar[0] + ms->nbar[1];
    for (int M = 3; M <= 4; M++) {
        double best = 0.0;
        for (int k = 0; k < M; k++)
            best = fmax(best, ms->bar[M - 3][k]);
        periodic += n > 0 ? best / n : 0.0;
    }
    mass[0] = periodic;
    mass[1] = ms->nchange > 0 ? ms->change / ms->nchange : 0.0;
}
/* <<measuring specialisation>> */
typedef struct {
    double loss[2];                 /* mean losses: rhythm, harmony */
    double mass[17][2];             /* per head, then a uniform head */
    double onebar[17];              /* mass one bar before the predicted token */
} Eval;

static int evaluate_set(const Model *m, const Tokseq *set, long n, Attn_work *w,
                    unsigned ablate, Eval *e)
{
    Mass_sums ms[17];
    memset(ms, 0, sizeof ms);
    memset(e, 0, sizeof *e);
    for (long i = 0; i < n; i++) {
        double l[2];
        if (forward(m, &set[i], w, ablate) != 0)
            return -1;
        sequence_loss(w, &set[i], l);
        e->loss[0] += l[0] / n;
        e->loss[1] += l[1] / n;
        for (int h = 0; h <= w->heads; h++)
            add_masses(h < w->heads ? w->A[h] : NULL, w->T, &set[i], &ms[h]);
    }
    for (int h = 0; h <= w->heads; h++) {
        masses_of(&ms[h], e->mass[h]);
        e->onebar[h] = ms[h].nonebar > 0 ? ms[h].onebar / ms[h].nonebar : 0.0;
    }
    return 0;
}
/* <<measuring specialisation>> */
static double excess_over(double mass, double uniform)
{
    return (mass - uniform) / (1.0 - uniform);
}

static double spec_index(const double mass[2], const double uniform[2])
{
    return excess_over(mass[0], uniform[0]) - excess_over(mass[1], uniform[1]);
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
/* <<the onset of specialisation in a trace>> */
enum { TRACE_LEAD = 6 };
static const double specialised_excess = 0.5;

typedef struct {
    int heads, head;            /* the head with the largest final change excess */
    double final, loss0;        /* its final excess; the first harmony loss */
    bool specialised;           /* final >= specialised_excess */
    long onset, width, jump;    /* steps */
    double onset_loss, jump_loss, onset_rhythm;
    long rhythm_step;           /* first step with the rhythm loss near its floor */
    long clipped, clip_late;    /* clipped steps; those after the first record */
} Onset;
/* <<the onset of specialisation in a trace>> */
/* <<check every column of a trace>> */
static int trace_check(const gsl_matrix *tr, const char *path, Error *err)
{
    const size_t n = tr->size1, cols = tr->size2;
    if (cols < TRACE_LEAD + 2 || (cols - TRACE_LEAD) % 2 != 0 || n < 2
        || (cols - TRACE_LEAD) / 2 > 16)
        return fail(err, "%s: not a trace of attention train", path);
    for (size_t i = 0; i < n; i++) {
        double step = gsl_matrix_get(tr, i, 0), cl = gsl_matrix_get(tr, i, 3);
        double before = i > 0 ? gsl_matrix_get(tr, i - 1, 0) : -1.0;
        if (!(step >= 0.0 && step <= 1e9 && step == floor(step))
            || (i == 0 ? step != 0.0 : !(step > before)))
            return fail(err, "%s: data row %zu: the steps must be whole numbers rising from 0 "
                        "to at most 1e9", path, i + 1);
        if (!(cl >= 0.0 && cl <= step && cl == floor(cl)))
            return fail(err, "%s: data row %zu: the clipped count must be a whole number "
                        "from 0 to the step", path, i + 1);
        for (size_t k = 1; k < cols; k++) {
            double v = gsl_matrix_get(tr, i, k);
            bool ok = k == 3 || (k < 3 ? v >= 0.0
                                 : v >= 0.0 && (k < TRACE_LEAD ? v < 1.0 : v <= 1.0));
            if (!ok)
                return fail(err, "%s: data row %zu: column %zu (%s) is out of range", path,
                            i + 1, k + 1, k < 3 ? "a loss" : "a mass");
        }
    }
    return 0;
}

static int onset_of(const gsl_matrix *tr, const char *path, double rhythm_near,
                    int heads, Onset *o, Error *err)
{
    const size_t n = tr->size1;
    if (trace_check(tr, path, err) != 0)
        return -1;
    o->heads = (int)(tr->size2 - TRACE_LEAD) / 2;
    if (o->heads != heads)
        return fail(err, "%s: a trace of %d heads, but the checkpoint has %d", path,
                    o->heads, heads);
    o->head = 0;
#define EXCESS(i, h) excess_over(gsl_matrix_get(tr, i, TRACE_LEAD + 1 + 2 * (h)), \
                            gsl_matrix_get(tr, i, TRACE_LEAD - 1))
    for (int h = 1; h < o->heads; h++)
        if (EXCESS(n - 1, h) > EXCESS(n - 1, o->head))
            o->head = h;
    o->final = EXCESS(n - 1, o->head);
    o->specialised = o->final >= specialised_excess;
    o->loss0 = gsl_matrix_get(tr, 0, 2);
    /* <<find when the change excess of the head crossed its marks>> */
    size_t i10 = n - 1, i50 = n - 1, i90 = n - 1, ij = 1;
    for (size_t i = n; i-- > 0; ) {
        double e = EXCESS(i, o->head);
        i10 = e >= 0.1 * o->final ? i : i10;
        i50 = e >= 0.5 * o->final ? i : i50;
        i90 = e >= 0.9 * o->final ? i : i90;
        if (i > 0 && e - EXCESS(i - 1, o->head) > EXCESS(ij, o->head)
                                                  - EXCESS(ij - 1, o->head))
            ij = i;
    }
    o->onset = (long)gsl_matrix_get(tr, i50, 0);
    o->width = (long)(gsl_matrix_get(tr, i90, 0) - gsl_matrix_get(tr, i10, 0));
    o->onset_loss = gsl_matrix_get(tr, i50, 2);
    o->jump = (long)gsl_matrix_get(tr, ij, 0);
    o->jump_loss = gsl_matrix_get(tr, ij, 2);
    o->onset_rhythm = gsl_matrix_get(tr, i50, 1);
    size_t ir = n - 1;
    for (size_t i = n; i-- > 0; )
        ir = gsl_matrix_get(tr, i, 1) <= rhythm_near ? i : ir;
    o->rhythm_step = (long)gsl_matrix_get(tr, ir, 0);
    o->clipped = (long)gsl_matrix_get(tr, n - 1, 3);
    o->clip_late = o->clipped - (long)gsl_matrix_get(tr, 1, 3);
#undef EXCESS
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
/* <<judge a trace by its rules>> */
static bool trace_is_valid(const gsl_matrix *tr)
{
    size_t cols = tr->size2, heads = cols >= 6 ? (cols - 6) / 2 : 0;
    if (cols < 8 || cols != 6 + 2 * heads || heads > 16 || tr->size1 < 2)
        return false;
    for (size_t i = 0; i < tr->size1; i++)
        for (size_t k = 0; k < cols; k++) {
            double v = gsl_matrix_get(tr, i, k);
            double prev = i > 0 ? gsl_matrix_get(tr, i - 1, 0) : -1.0;
            if (!isfinite(v) || v < 0.0)
                return false;
            if (k == 0 && (v > 1e9 || v != floor(v) || !(v > prev)
                           || (i == 0 && v != 0.0)))
                return false;
            if (k == 3 && (v > gsl_matrix_get(tr, i, 0) || v != floor(v)))
                return false;
            if ((k == 4 || k == 5) && !(v < 1.0))
                return false;
            if (k >= 6 && v > 1.0)
                return false;
        }
    return true;
}

static bool is_a_step(const gsl_matrix *tr, long step)
{
    for (size_t i = 0; i < tr->size1; i++)
        if (gsl_matrix_get(tr, i, 0) == (double)step)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fuzz_stream(data, size);
    if (fp == NULL)
        return 0;
    Error err = {""};
    (void)block_name;                       /* part of the model, unused here */
    gsl_matrix *tr = read_matrix_stream(fp, "fuzz", &err);
    fclose(fp);
    if (tr != NULL && trace_check(tr, "fuzz", &err) == 0) {
        if (!trace_is_valid(tr))
            abort();
        Onset o;
        int heads = (int)(tr->size2 - TRACE_LEAD) / 2;
        if (onset_of(tr, "fuzz", 1.0, heads, &o, &err) != 0
            || !is_a_step(tr, o.onset) || !is_a_step(tr, o.jump)
            || !is_a_step(tr, o.rhythm_step) || (o.specialised && o.width < 0))
            abort();
    } else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
        abort();                                    /* one line, always */
    gsl_matrix_free(tr);
    return 0;
}
/* <<run the fuzz target on the files named on the command line>> */
#ifndef LIBFUZZER
int main(int argc, char *argv[])
{
    for (int k = 1; k < argc; k++) {
        FILE *fp = fopen(argv[k], "rb");
        if (fp == NULL) {
            fprintf(stderr, "fuzz: cannot open '%s': %s\n", argv[k], strerror(errno));
            return EXIT_FAILURE;
        }
        size_t n = 0, cap = 4096;
        uint8_t *buf = malloc(cap);
        for (size_t got; buf != NULL && (got = fread(buf + n, 1, cap - n, fp)) > 0; ) {
            n += got;
            if (n == cap) {
                uint8_t *more = cap <= SIZE_MAX / 2 ? realloc(buf, cap *= 2) : NULL;
                if (more == NULL)
                    free(buf);
                buf = more;
            }
        }
        fclose(fp);
        if (buf == NULL) {
            fprintf(stderr, "fuzz: out of memory reading '%s'\n", argv[k]);
            return EXIT_FAILURE;
        }
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    return EXIT_SUCCESS;
}
#endif
