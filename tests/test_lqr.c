/* test_lqr.c - the LQR warm start's numbers: the discounted Riccati solution against closed
 * forms (scalar quadratic root; double integrator by NumPy's symplectic-eigenvector method),
 * Pendulum-v1's linearisation against its analytic Jacobian, the quadratic value identities,
 * and refusals. */
#include <math.h>
#include <string.h>

#include "acrl/env.h"
#include "algo/lqr.h"
#include "test.h"

/* scalar x' = a x + b u, cost q x^2 + r u^2, discount g: with a~ = sqrt(g) a, b~ = sqrt(g) b,
 * b~^2 P^2 + (r (1 - a~^2) - q b~^2) P - q r = 0, positive root; K = g b P a / (r + g b^2 P) */
static void test_scalar(double a, double b, double q, double r, double g) {
    double P, K, at = sqrt(g) * a, bt = sqrt(g) * b;
    char err[256];
    int it = lqr_dare(&P, &K, &a, &b, &q, &r, 1, 1, g, err, sizeof err);
    CHECK(it > 0);
    double c1 = r * (1 - at * at) - q * bt * bt;
    double want = (-c1 + sqrt(c1 * c1 + 4 * bt * bt * q * r)) / (2 * bt * bt);
    double wantK = g * b * want * a / (r + g * b * b * want);
    printf("  scalar a=%g b=%g q=%g r=%g g=%g: P %.15g (closed form %.15g), K %.15g (%.15g), %d iterations\n", a, b, q,
           r, g, P, want, K, wantK, it);
    CHECK_NEAR(P, want, 1e-10 * want);
    CHECK_NEAR(K, wantK, 1e-10 * fabs(wantK));
}

static void test_double_integrator(void) {
    const double A[4] = {1, 1, 0, 1}, B[2] = {0.5, 1}, Q[4] = {1, 0, 0, 1}, R[1] = {1};
    /* NumPy: stable invariant subspace of the symplectic matrix (tests/test_lqr.c header) */
    const double Pw[4] = {2.367101490947879, 1.118033988749897, 1.118033988749894, 2.587482927325334};
    const double Kw[2] = {0.434483243275955, 1.028465932950384};
    double P[4], K[2];
    char err[256];
    CHECK(lqr_dare(P, K, A, B, Q, R, 2, 1, 1.0, err, sizeof err) > 0);
    double d = 0;
    for (int i = 0; i < 4; i++) d = fmax(d, fabs(P[i] - Pw[i]));
    for (int i = 0; i < 2; i++) d = fmax(d, fabs(K[i] - Kw[i]));
    CHECK_MAXDIFF("double integrator P, K vs symplectic method", d, 1e-10);
    CHECK_NEAR(P[1], sqrt(5.0) / 2, 1e-10);
}

static void test_unstabilisable(void) {
    /* x' = 2x, no control: no finite cost-to-go */
    double a = 2, b = 0, q = 1, r = 1, P, K;
    char err[256] = "";
    CHECK(lqr_dare(&P, &K, &a, &b, &q, &r, 1, 1, 1.0, err, sizeof err) < 0);
    printf("  unstabilisable: %s\n", err);
    CHECK(strstr(err, "does not converge") != NULL);
}

static void test_pendulum(void) {
    char err[256];
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* env = acrl_env_make("Pendulum-v1", &eo, err, sizeof err);
    CHECK(env != NULL);
    if (!env) return;
    float obs[3];
    acrl_env_reset(env, 0, obs);
    lqr_model M;
    CHECK(lqr_model_make(&M, env, 0.99, err, sizeof err) == 0);
    /* th' = th + dt thdot', thdot' = thdot + (3g/2 sin th + 3u) dt, g = 10, dt = 0.05 */
    const double dt = 0.05;
    const double Aw[4] = {1 + 15 * dt * dt, dt, 15 * dt, 1}, Bw[2] = {3 * dt * dt, 3 * dt};
    double d = 0;
    for (int i = 0; i < 4; i++) d = fmax(d, fabs(M.A[i] - Aw[i]));
    for (int i = 0; i < 2; i++) d = fmax(d, fabs(M.B[i] - Bw[i]));
    CHECK_MAXDIFF("Pendulum-v1 A, B vs analytic Jacobian", d, 2e-4);
    CHECK_NEAR(M.r0, 0.0, 1e-12);
    /* the Riccati residual at the model's own A, B */
    double P2[4], K2[2];
    CHECK(lqr_dare(P2, K2, M.A, M.B, M.Q, M.R, 2, 1, 0.99, err, sizeof err) > 0);
    /* closed loop A - BK is stable (spectral radius < 1): 2x2 eigenvalues */
    double c[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) c[i * 2 + j] = M.A[i * 2 + j] - M.B[i] * M.K[j];
    double tr = c[0] + c[3], det = c[0] * c[3] - c[1] * c[2], disc = tr * tr / 4 - det;
    double rho = disc >= 0 ? fmax(fabs(tr / 2 + sqrt(disc)), fabs(tr / 2 - sqrt(disc))) : sqrt(det);
    printf("  Pendulum-v1: K = [%.4f %.4f], P = [%.4f %.4f; %.4f %.4f], closed-loop spectral radius %.4f\n", M.K[0],
           M.K[1], M.P[0], M.P[1], M.P[2], M.P[3], rho);
    CHECK(rho < 1);
    /* Bellman identities of the quadratic model: V(x) = Q(x, -Kx), and Q(x, u) <= V(x)
     * (V is the best Q; values are rewards, costs negated) */
    double x[2] = {0.3, -0.7}, u = -(M.K[0] * x[0] + M.K[1] * x[1]);
    CHECK_NEAR(lqr_qvalue(&M, x, &u), lqr_value(&M, x), 1e-9);
    double u2 = u + 0.5;
    CHECK(lqr_qvalue(&M, x, &u2) < lqr_value(&M, x));
    /* targets: the state is read back from the observation; actions clipped to [-2, 2] */
    acrl_rng rng;
    acrl_rng_seed(&rng, 7);
    float o[3 * 64], act[64], v[64], qa[64], q[64];
    CHECK(lqr_targets(o, act, v, qa, q, 64, env, &M, 1.0, &rng, err, sizeof err) == 0);
    double dv = 0;
    int inside = 1;
    for (int k = 0; k < 64; k++) {
        double s[2], a = 0;
        s[0] = atan2(o[3 * k + 1], o[3 * k]);
        s[1] = o[3 * k + 2];
        for (int j = 0; j < 2; j++) a -= M.K[j] * s[j];
        a = fmin(fmax(a, -2), 2);
        dv = fmax(dv, fabs(act[k] - a));
        dv = fmax(dv, fabs(v[k] - lqr_value(&M, s)) / fmax(1, fabs(v[k])));
        inside &= fabs(s[0]) <= 1.0 && fabs(s[1]) <= 2.0 && qa[k] >= -2 && qa[k] <= 2;
    }
    CHECK_MAXDIFF("Pendulum-v1 targets vs -Kx and V(x) of the read-back state", dv, 1e-5);
    CHECK(inside);
    acrl_env_close(env);
}

static void test_refusals(void) {
    char err[256];
    acrl_env_options eo = acrl_env_options_default();
    lqr_model M;
    acrl_env* env = acrl_env_make("DoorKeyGrid-v0", &eo, err, sizeof err);
    if (env) {
        CHECK(lqr_model_make(&M, env, 0.99, err, sizeof err) < 0);
        printf("  DoorKeyGrid-v0: %s\n", err);
        CHECK(strstr(err, "no set_state") == NULL ? strstr(err, "has none") != NULL : 1);
        acrl_env_close(env);
    }
    env = acrl_env_make("CartPole-v1", &eo, err, sizeof err);
    CHECK(env != NULL);
    if (env) {
        CHECK(lqr_model_make(&M, env, 0.99, err, sizeof err) < 0);
        printf("  CartPole-v1: %s\n", err);
        CHECK(strstr(err, "knows no equilibrium of CartPole-v1") != NULL);
        acrl_env_close(env);
    }
}

#ifdef ACRL_HAVE_MUJOCO
static void test_mujoco(void) {
    const char* ids[2] = {"InvertedPendulum-v4", "InvertedDoublePendulum-v4"};
    for (int e = 0; e < 2; e++) {
        char err[256];
        acrl_env_options eo = acrl_env_options_default();
        acrl_env* env = acrl_env_make(ids[e], &eo, err, sizeof err);
        CHECK(env != NULL);
        if (!env) continue;
        float obs[16];
        acrl_env_reset(env, 0, obs);
        lqr_model M;
        int rc = lqr_model_make(&M, env, 0.99, err, sizeof err);
        if (rc) printf("  %s: %s\n", ids[e], err);
        CHECK(rc == 0);
        /* the linear model predicts a small step: x' from the env vs A x + B u */
        const int n = M.info->n;
        double x[8] = {0}, u = 0.05, xn[8];
        x[1] = 0.01;
        x[n / 2] = 0.02;
        float o[16];
        CHECK(acrl_env_set_state(acrl_env_unwrapped(env), x, n, o, err, sizeof err) == 0);
        double r;
        bool term, trunc;
        float a = (float)u;
        acrl_env_step(acrl_env_unwrapped(env), &a, o, &r, &term, &trunc);
        M.info->state_of_obs(o, xn);
        double d = 0;
        for (int i = 0; i < n; i++) {
            double p = M.f0[i] + M.B[i] * u;
            for (int j = 0; j < n; j++) p += M.A[i * n + j] * x[j];
            d = fmax(d, fabs(p - xn[i]));
        }
        char name[96];
        snprintf(name, sizeof name, "%s one step vs f0 + A x + B u", ids[e]);
        CHECK_MAXDIFF(name, d, 1e-4);
        printf("  %s: r0 %.4f, K =", ids[e], M.r0);
        for (int j = 0; j < n; j++) printf(" %.3f", M.K[j]);
        printf("\n");
        acrl_env_close(env);
    }
}
#endif

int main(void) {
    test_scalar(1.2, 0.5, 2.0, 0.3, 1.0);
    test_scalar(0.9, 1.5, 1.0, 0.01, 0.9);
    test_scalar(1.05, 0.2, 0.5, 2.0, 0.99);
    test_double_integrator();
    test_unstabilisable();
    test_pendulum();
    test_refusals();
#ifdef ACRL_HAVE_MUJOCO
    test_mujoco();
#endif
    return test_summary("test_lqr");
}
