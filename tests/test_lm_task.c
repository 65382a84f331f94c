/* test_lm_task: the character tokenizer, the tasks' examples and verifier (TinyZero's
 * 1 / 0.1 / 0 rewards as keys), and the policy-gradient pieces of each variant on constructed
 * groups: GRPO's group-normalised advantages and DAPO's dynamic-sampling filter, PPO's GAE,
 * DAPO's over-long penalty, the (decoupled) clipped surrogate and PACS's score loss. Reference numbers from
 * NumPy / PyTorch autograd (the one-liners are in the comments). */
#include "acrl/lm.h"
#include "test.h"

#include <string.h>

static acrl_lm_task task_of(acrl_lm_task_kind k, bool rev) {
    acrl_lm_task t = {k, 3, rev, 3, 20, 1.0f, 0.1f, 0.0f};
    return t;
}

static acrl_lm_verdict judge(const acrl_lm_task* t, const char* prompt, const char* comp, bool term) {
    return acrl_lm_task_judge(t, prompt, comp, (int)strlen(comp), term);
}

int main(void) {
    char err[256];
    printf("tokenizer\n");
    {
        int tok[32];
        int n = acrl_lm_encode(tok, 32, "12+034=46.", err, sizeof err);
        CHECK(n == 10);
        CHECK(tok[0] == 2 && tok[2] == 11 && tok[9] == ACRL_LM_EOS);
        char back[32];
        acrl_lm_decode(back, sizeof back, tok, n);
        CHECK(strcmp(back, "12+034=46.") == 0);
        CHECK(acrl_lm_encode(tok, 32, "1a", err, sizeof err) == -1 && strstr(err, "'a'"));
        CHECK(acrl_lm_encode(tok, 3, "1234", err, sizeof err) == -1 && strstr(err, "longer"));
        CHECK((int)strlen(ACRL_LM_VOCAB) == ACRL_LM_VOCAB_SIZE);
    }
    printf("tasks: every generated answer is judged correct, lengths within the bounds\n");
    {
        acrl_lm_task_kind kinds[] = {ACRL_LM_ADD, ACRL_LM_MUL, ACRL_LM_COUNTDOWN};
        for (int k = 0; k < 3; k++)
            for (int rev = 0; rev < 2; rev++) {
                acrl_lm_task t = task_of(kinds[k], rev);
                CHECK(acrl_lm_task_check(&t, err, sizeof err) == 0);
                int pmax, amax;
                acrl_lm_task_lengths(&t, &pmax, &amax);
                acrl_rng rng;
                acrl_rng_seed(&rng, 5);
                int bad = 0;
                for (int i = 0; i < 2000; i++) {
                    acrl_lm_example ex;
                    acrl_lm_task_sample(&t, &rng, &ex);
                    if (judge(&t, ex.prompt, ex.answer, true) != ACRL_LM_CORRECT) bad++;
                    if ((int)strlen(ex.prompt) > pmax || (int)strlen(ex.answer) > amax) bad++;
                    if (i == 0) printf("  %s -> %s\n", ex.prompt, ex.answer);
                }
                CHECK(bad == 0);
            }
    }
    printf("verdicts and rewards\n");
    {
        acrl_lm_task add = task_of(ACRL_LM_ADD, false), addr = task_of(ACRL_LM_ADD, true);
        CHECK(judge(&add, "123+045=", "168", true) == ACRL_LM_CORRECT);
        CHECK(judge(&add, "123+045=", "169", true) == ACRL_LM_WRONG);
        CHECK(judge(&add, "123+045=", "168", false) == ACRL_LM_UNPARSABLE);     /* no EOS */
        CHECK(judge(&add, "123+045=", "", true) == ACRL_LM_UNPARSABLE);
        CHECK(judge(&add, "123+045=", "16+8", true) == ACRL_LM_UNPARSABLE);
        CHECK(judge(&add, "999+001=", "1000", true) == ACRL_LM_CORRECT);
        CHECK(judge(&addr, "999+001=", "0001", true) == ACRL_LM_CORRECT);       /* LSB first */
        CHECK(judge(&addr, "123+045=", "861", true) == ACRL_LM_CORRECT);
        CHECK(judge(&addr, "123+045=", "168", true) == ACRL_LM_WRONG);
        acrl_lm_task mul = task_of(ACRL_LM_MUL, false);
        CHECK(judge(&mul, "123*045=", "5535", true) == ACRL_LM_CORRECT);
        acrl_lm_task cd = task_of(ACRL_LM_COUNTDOWN, false);
        CHECK(judge(&cd, "28:3,7,25=", "(25-3)+7-1", true) == ACRL_LM_WRONG);     /* a number not given */
        CHECK(judge(&cd, "28:3,7,25=", "25+3", true) == ACRL_LM_WRONG);          /* 7 unused */
        CHECK(judge(&cd, "28:3,7,25=", "(7-3)*7", true) == ACRL_LM_WRONG);       /* 7 twice */
        CHECK(judge(&cd, "29:3,7,25=", "25+7-3", true) == ACRL_LM_CORRECT);
        CHECK(judge(&cd, "28:3,7,25=", "(25+3)*7/7", true) == ACRL_LM_WRONG);
        CHECK(judge(&cd, "10:4,6,2=", "(6+4)/2*2", true) == ACRL_LM_WRONG);
        CHECK(judge(&cd, "10:4,6,2=", "(6*2-4)+2", true) == ACRL_LM_WRONG);
        CHECK(judge(&cd, "8:4,6,2=", "6+4/2", true) == ACRL_LM_CORRECT);       /* precedence */
        CHECK(judge(&cd, "5:4,6,2=", "6+4/2", true) == ACRL_LM_WRONG);
        CHECK(judge(&cd, "5:4,6,2=", "(6+4)/2", true) == ACRL_LM_CORRECT);
        CHECK(judge(&cd, "10:4,6,2,2=", "6*2-4/2", true) == ACRL_LM_CORRECT);
        CHECK(judge(&cd, "6:4,6,2=", "6/(4-4)", true) == ACRL_LM_WRONG);         /* division by zero */
        CHECK(judge(&cd, "10:4,6,2=", "(6*2-4", true) == ACRL_LM_UNPARSABLE);
        CHECK(judge(&cd, "10:4,6,2=", "6*2-4/2)", true) == ACRL_LM_UNPARSABLE);
        CHECK(judge(&cd, "10:4,6,2=", "6*2-4/2", false) == ACRL_LM_UNPARSABLE);
        CHECK_NEAR(acrl_lm_task_reward(&add, ACRL_LM_CORRECT), 1.0, 0);
        CHECK_NEAR(acrl_lm_task_reward(&add, ACRL_LM_WRONG), 0.1, 1e-7);
        CHECK_NEAR(acrl_lm_task_reward(&add, ACRL_LM_UNPARSABLE), 0.0, 0);
        add.reward_format = 0.25f;
        add.reward_bad = -1;
        CHECK_NEAR(acrl_lm_task_reward(&add, ACRL_LM_WRONG), 0.25, 0);
        CHECK_NEAR(acrl_lm_task_reward(&add, ACRL_LM_UNPARSABLE), -1, 0);
        acrl_lm_task t;
        CHECK(acrl_lm_task_parse(&t, "addition", err, sizeof err) == -1 && strstr(err, "countdown"));
    }
    printf("GRPO: group-normalised advantages (numpy: (r - r.mean()) / (r.std(ddof=1) + 1e-4))\n");
    {
        float r1[4] = {1, 0.1f, 0, 1}, a[6];
        const double want1[4] = {0.8634793673877476, -0.7725868023995638, -0.9543719323759317, 0.8634793673877476};
        acrl_lm_grpo_advantages(a, r1, 4, 1e-4f);
        for (int i = 0; i < 4; i++) CHECK_NEAR(a[i], want1[i], 2e-6);
        float r2[6] = {0.1f, 0.1f, 1, 0.1f, 0, 0.1f};
        const double want2[6] = {-0.3529088216017784, -0.3529088216017784, 2.0292257242102254, -0.3529088216017784,
                                 -0.6175904378031122, -0.3529088216017784};
        acrl_lm_grpo_advantages(a, r2, 6, 1e-4f);
        for (int i = 0; i < 6; i++) CHECK_NEAR(a[i], want2[i], 2e-6);
        float same[3] = {0.1f, 0.1f, 0.1f};
        acrl_lm_grpo_advantages(a, same, 3, 1e-4f);
        CHECK(a[0] == 0 && a[1] == 0 && a[2] == 0);
        /* DAPO dynamic sampling drops exactly the all-equal groups */
        CHECK(acrl_lm_group_degenerate(same, 3));
        CHECK(!acrl_lm_group_degenerate(r1, 4));
        float ones[2] = {1, 1};
        CHECK(acrl_lm_group_degenerate(ones, 2));
    }
    printf("PPO: GAE over the answer tokens (numpy loop, zero value after the last token)\n");
    {
        float rw[4] = {-0.01f, 0.02f, -0.03f, 1.0f}, v[4] = {0.5f, 0.4f, 0.7f, 0.9f}, adv[4], ret[4];
        const double wa[4] = {0.4331625, 0.57175, 0.265, 0.1}, wr[4] = {0.9331625, 0.97175, 0.965, 1.0};
        acrl_lm_gae(adv, ret, rw, v, 4, 1.0f, 0.95f);
        for (int i = 0; i < 4; i++) { CHECK_NEAR(adv[i], wa[i], 1e-6); CHECK_NEAR(ret[i], wr[i], 1e-6); }
        float rw2[3] = {0, 0, 2}, v2[3] = {0.1f, -0.2f, 0.3f};
        const double wa2[3] = {0.27575, 1.235, 1.7};
        acrl_lm_gae(adv, ret, rw2, v2, 3, 0.9f, 0.5f);
        for (int i = 0; i < 3; i++) CHECK_NEAR(adv[i], wa2[i], 1e-6);
    }
    printf("DAPO: soft over-long penalty (max 8, buffer 2)\n");
    {
        CHECK_NEAR(acrl_lm_overlong_penalty(5, 8, 2), 0, 0);
        CHECK_NEAR(acrl_lm_overlong_penalty(6, 8, 2), 0, 0);
        CHECK_NEAR(acrl_lm_overlong_penalty(7, 8, 2), -0.5, 1e-7);
        CHECK_NEAR(acrl_lm_overlong_penalty(8, 8, 2), -1, 1e-7);
        CHECK_NEAR(acrl_lm_overlong_penalty(9, 8, 2), -1, 0);
        CHECK_NEAR(acrl_lm_overlong_penalty(9, 8, 0), -1, 0);
        CHECK_NEAR(acrl_lm_overlong_penalty(8, 8, 0), 0, 0);
    }
    printf("clipped surrogate and its gradient (torch autograd of -min(ratio A, clamp(ratio) A))\n");
    {
        float d;
        /* ratio e^0.2 = 1.2214: inside clip-higher (0.28), clipped at the symmetric 0.2 */
        CHECK_NEAR(acrl_lm_clip_loss(&d, -0.5f, -0.7f, 1, 0.2f, 0.28f), -1.2214027581601699, 1e-6);
        CHECK_NEAR(d, -1.2214027581601699, 1e-6);
        CHECK_NEAR(acrl_lm_clip_loss(&d, -0.5f, -0.7f, 1, 0.2f, 0.2f), -1.2, 1e-6);
        CHECK_NEAR(d, 0, 0);
        CHECK_NEAR(acrl_lm_clip_loss(&d, -0.5f, -0.7f, -1, 0.2f, 0.28f), 1.2214027581601699, 1e-6);
        CHECK_NEAR(d, 1.2214027581601699, 1e-6);
        CHECK_NEAR(acrl_lm_clip_loss(&d, -0.65f, -0.7f, 2, 0.2f, 0.28f), -2.102542192752048, 1e-6);
        CHECK_NEAR(d, -2.102542192752048, 1e-6);
        /* ratio e^-0.3 = 0.7408 below 1 - 0.2: clipped when A < 0, not when A > 0 */
        CHECK_NEAR(acrl_lm_clip_loss(&d, -1.0f, -0.7f, -1, 0.2f, 0.28f), 0.8, 1e-6);
        CHECK_NEAR(d, 0, 0);
        CHECK_NEAR(acrl_lm_clip_loss(&d, -1.0f, -0.7f, 1, 0.2f, 0.28f), -0.7408182206817179, 1e-6);
        CHECK_NEAR(d, -0.7408182206817179, 1e-6);
    }
    printf("PACS: leave-one-out score, BCE against correctness, gradient wrt sequence log-probs (torch autograd)\n");
    {
        float s1[4] = {0.3f, -0.2f, 0.1f, 0.5f}, y1[4] = {1, 0, 0, 1}, d[4];
        const double g1[4] = {-1.116965621525157, 0.7133576182286573, 1.1966231684087294, -0.7930151651122297};
        CHECK_NEAR(acrl_lm_pacs_loss(d, s1, y1, 4, 2.0f), 1.8026097224187048, 1e-6);
        for (int i = 0; i < 4; i++) CHECK_NEAR(d[i], g1[i], 1e-6);
        float s2[3] = {-1.5f, 0.7f, 2.0f}, y2[3] = {0, 1, 0};
        const double g2[3] = {0.015804800401020586, -0.4625939850584094, 0.4467891846573888};
        CHECK_NEAR(acrl_lm_pacs_loss(d, s2, y2, 3, 0.5f), 2.2657658159312244, 1e-6);
        for (int i = 0; i < 3; i++) CHECK_NEAR(d[i], g2[i], 1e-6);
    }
    return test_summary("test_lm_task");
}
