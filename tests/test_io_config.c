/* test_io_config: table-driven config on a small fake algorithm config: strict
 * parsing of every type with exact error messages, "did you mean", INI files with
 * file:line errors and sections, and write -> load giving back the same struct. */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "acrl/io.h"
#include "test.h"

typedef enum { ACT_TANH, ACT_RELU, ACT_ELU } fake_activation;

typedef struct {
    int    num_envs;
    float  learning_rate;
    double gamma;
    int    normalize_obs;    /* bool */
    char   run_name[ACRL_CONFIG_STR_MAX];
    int    activation;       /* fake_activation */
    acrl_intlist hidden;
    int    eval_episodes;    /* "eval.episodes": set through an [eval] section */
} fake_config;

static const char* const activations[] = {"tanh", "relu", "elu", NULL};

static const acrl_config_entry fake_table[] = {
    {"num_envs", ACRL_CFG_INT, offsetof(fake_config, num_envs), 1, 1024, NULL, "parallel environments"},
    {"learning_rate", ACRL_CFG_FLOAT, offsetof(fake_config, learning_rate), 0, 1, NULL, "Adam step size"},
    {"gamma", ACRL_CFG_DOUBLE, offsetof(fake_config, gamma), 0, 1, NULL, "discount factor"},
    {"normalize_obs", ACRL_CFG_BOOL, offsetof(fake_config, normalize_obs), 0, 0, NULL, "running observation normalization"},
    {"run_name", ACRL_CFG_STRING, offsetof(fake_config, run_name), 0, 0, NULL, "name of the run"},
    {"activation", ACRL_CFG_ENUM, offsetof(fake_config, activation), 0, 0, activations, "hidden activation"},
    {"hidden", ACRL_CFG_INTLIST, offsetof(fake_config, hidden), 1, 4096, NULL, "hidden layer sizes"},
    {"eval.episodes", ACRL_CFG_INT, offsetof(fake_config, eval_episodes), 0, 0, NULL, "episodes per evaluation"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static void fake_defaults(fake_config* c) {
    memset(c, 0, sizeof(*c));
    c->num_envs = 8;
    c->learning_rate = 3e-4f;
    c->gamma = 0.99;
    c->normalize_obs = 1;
    strcpy(c->run_name, "default");
    c->activation = ACT_TANH;
    c->hidden = (acrl_intlist){2, {64, 64}};
    c->eval_episodes = 10;
}

static char err[ACRL_ERRLEN];

/* set must fail with exactly this message */
static int fails_with(fake_config* c, const char* key, const char* value, const char* msg) {
    fake_config before = *c;
    int rc = acrl_config_set(fake_table, c, key, value, err, sizeof(err));
    int same = memcmp(&before, c, sizeof(before)) == 0;
    if (rc != -1 || strcmp(err, msg) != 0 || !same) {
        fprintf(stderr, "  set %s=%s: rc %d, err '%s', want '%s'%s\n", key, value, rc, err, msg,
                same ? "" : " (config changed)");
        return 0;
    }
    return 1;
}

static void write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void) {
    fake_config c;
    fake_defaults(&c);

    /* ---- accepted values ---- */
    CHECK(acrl_config_set(fake_table, &c, "num_envs", "16", err, sizeof(err)) == 0 && c.num_envs == 16);
    CHECK(acrl_config_set(fake_table, &c, "num_envs", "-0", err, sizeof(err)) == -1); /* below min 1 */
    CHECK(acrl_config_set(fake_table, &c, "learning_rate", "2.5e-4", err, sizeof(err)) == 0 && c.learning_rate == 2.5e-4f);
    CHECK(acrl_config_set(fake_table, &c, "gamma", "0.995", err, sizeof(err)) == 0 && c.gamma == 0.995);
    CHECK(acrl_config_set(fake_table, &c, "gamma", "1", err, sizeof(err)) == 0 && c.gamma == 1.0); /* max inclusive */
    CHECK(acrl_config_set(fake_table, &c, "normalize_obs", "false", err, sizeof(err)) == 0 && c.normalize_obs == 0);
    CHECK(acrl_config_set(fake_table, &c, "normalize_obs", "Yes", err, sizeof(err)) == 0 && c.normalize_obs == 1);
    CHECK(acrl_config_set(fake_table, &c, "run_name", "cartpole seed 3", err, sizeof(err)) == 0 &&
          strcmp(c.run_name, "cartpole seed 3") == 0);
    CHECK(acrl_config_set(fake_table, &c, "activation", "relu", err, sizeof(err)) == 0 && c.activation == ACT_RELU);
    CHECK(acrl_config_set(fake_table, &c, "hidden", "256, 128,32", err, sizeof(err)) == 0 && c.hidden.n == 3 &&
          c.hidden.v[0] == 256 && c.hidden.v[1] == 128 && c.hidden.v[2] == 32);
    CHECK(acrl_config_set(fake_table, &c, "hidden", "400", err, sizeof(err)) == 0 && c.hidden.n == 1 && c.hidden.v[0] == 400);
    CHECK(acrl_config_set(fake_table, &c, "eval.episodes", "-3", err, sizeof(err)) == 0 && c.eval_episodes == -3); /* no range */

    /* ---- rejected values, exact messages, config untouched ---- */
    CHECK(fails_with(&c, "learning_rat", "0.1", "unknown key 'learning_rat'; did you mean 'learning_rate'?"));
    CHECK(fails_with(&c, "gama", "0.9", "unknown key 'gama'; did you mean 'gamma'?"));
    CHECK(fails_with(&c, "hiden", "64", "unknown key 'hiden'; did you mean 'hidden'?"));
    CHECK(fails_with(&c, "batch_size", "64", "unknown key 'batch_size'"));
    CHECK(fails_with(&c, "num_envs", "8x", "num_envs expects an integer, got '8x'"));
    CHECK(fails_with(&c, "num_envs", "", "num_envs expects an integer, got ''"));
    CHECK(fails_with(&c, "num_envs", " 8", "num_envs expects an integer, got ' 8'"));
    CHECK(fails_with(&c, "num_envs", "2.0", "num_envs expects an integer, got '2.0'"));
    CHECK(fails_with(&c, "num_envs", "99999999999", "num_envs expects an integer, got '99999999999'"));
    CHECK(fails_with(&c, "num_envs", "0", "num_envs = 0 is out of range [1, 1024]"));
    CHECK(fails_with(&c, "num_envs", "2000", "num_envs = 2000 is out of range [1, 1024]"));
    CHECK(fails_with(&c, "learning_rate", "3e-4abc", "learning_rate expects a finite number, got '3e-4abc'"));
    CHECK(fails_with(&c, "learning_rate", "nan", "learning_rate expects a finite number, got 'nan'"));
    CHECK(fails_with(&c, "learning_rate", "inf", "learning_rate expects a finite number, got 'inf'"));
    CHECK(fails_with(&c, "learning_rate", "1.5", "learning_rate = 1.5 is out of range [0, 1]"));
    CHECK(fails_with(&c, "gamma", "-0.1", "gamma = -0.1 is out of range [0, 1]"));
    CHECK(fails_with(&c, "normalize_obs", "maybe", "normalize_obs expects true or false, got 'maybe'"));
    CHECK(fails_with(&c, "activation", "sigmoid", "bad value 'sigmoid' for activation: expected one of tanh, relu, elu"));
    CHECK(fails_with(&c, "activation", "Relu", "bad value 'Relu' for activation: expected one of tanh, relu, elu"));
    CHECK(fails_with(&c, "hidden", "64,,64", "hidden expects comma-separated integers, got '64,,64'"));
    CHECK(fails_with(&c, "hidden", "64,64,", "hidden expects comma-separated integers, got '64,64,'"));
    CHECK(fails_with(&c, "hidden", "64;64", "hidden expects comma-separated integers, got '64;64'"));
    {   /* an empty list reads back as one (acrl_config_write writes "hidden = " for it) */
        char e2[256];
        CHECK(acrl_config_set(fake_table, &c, "hidden", "", e2, sizeof e2) == 0 && c.hidden.n == 0);
        CHECK(acrl_config_set(fake_table, &c, "hidden", "64,64", e2, sizeof e2) == 0 && c.hidden.n == 2);
    }
    CHECK(fails_with(&c, "hidden", "64,0", "hidden = 64,0 is out of range [1, 4096]"));
    CHECK(fails_with(&c, "hidden", "1,2,3,4,5,6,7,8,9", "hidden: more than 8 values in '1,2,3,4,5,6,7,8,9'"));
    char longname[300];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    CHECK(fails_with(&c, "run_name", longname, "run_name: value longer than 127 characters"));

    /* ---- --set overrides ---- */
    CHECK(acrl_config_parse_override(fake_table, &c, "gamma=0.9", err, sizeof(err)) == 0 && c.gamma == 0.9);
    CHECK(acrl_config_parse_override(fake_table, &c, " num_envs = 4 ", err, sizeof(err)) == 0 && c.num_envs == 4);
    CHECK(acrl_config_parse_override(fake_table, &c, "gamma", err, sizeof(err)) == -1 &&
          strcmp(err, "expected key=value, got 'gamma'") == 0);
    CHECK(acrl_config_parse_override(fake_table, &c, "=3", err, sizeof(err)) == -1);
    CHECK(acrl_config_parse_override(fake_table, &c, "num_env=3", err, sizeof(err)) == -1 &&
          strcmp(err, "unknown key 'num_env'; did you mean 'num_envs'?") == 0);

    /* ---- INI files ---- */
    char dir[] = "/tmp/acrl_cfg_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], path2[256];
    snprintf(path, sizeof(path), "%s/a.ini", dir);
    snprintf(path2, sizeof(path2), "%s/b.ini", dir);
    write_file(path,
               "# PPO on CartPole\n"
               "; another comment style\n"
               "\n"
               "num_envs = 32\n"
               "  learning_rate=0.001   # inline comment\n"
               "activation = elu ; trailing\n"
               "hidden = 32,32\n"
               "run_name = a#b\n"
               "[eval]\n"
               "episodes = 7\n");
    fake_defaults(&c);
    CHECK(acrl_config_load_file(fake_table, &c, path, err, sizeof(err)) == 0);
    CHECK(c.num_envs == 32 && c.learning_rate == 0.001f && c.activation == ACT_ELU && c.hidden.n == 2 &&
          c.hidden.v[1] == 32 && strcmp(c.run_name, "a#b") == 0 && c.eval_episodes == 7 && c.gamma == 0.99);

    /* the same parser over text in memory (no NUL needed; the last line has no newline) */
    const char text[] = "num_envs = 12\nhidden = 8,8,8\ngamma = 0.5XYZ";
    fake_defaults(&c);
    CHECK(acrl_config_load_text(fake_table, &c, text, sizeof text - 4, "mem", err, sizeof(err)) == 0);
    CHECK(c.num_envs == 12 && c.hidden.n == 3 && c.gamma == 0.5);
    CHECK(acrl_config_load_text(fake_table, &c, text, sizeof text - 1, "mem", err, sizeof(err)) == -1);
    printf("  text error: %s\n", err);
    CHECK(strcmp(err, "mem:3: gamma expects a finite number, got '0.5XYZ'") == 0);

    write_file(path, "num_envs = 4\n\ngamma = 2\n");
    CHECK(acrl_config_load_file(fake_table, &c, path, err, sizeof(err)) == -1);
    char want[512];
    snprintf(want, sizeof(want), "%s:3: gamma = 2 is out of range [0, 1]", path);
    CHECK(strcmp(err, want) == 0);
    write_file(path, "num_envs 4\n");
    CHECK(acrl_config_load_file(fake_table, &c, path, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:1: expected 'key = value', got 'num_envs 4'", path);
    CHECK(strcmp(err, want) == 0);
    write_file(path, "[eval\n");
    CHECK(acrl_config_load_file(fake_table, &c, path, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:1: bad section header '[eval'", path);
    CHECK(strcmp(err, want) == 0);
    write_file(path, "[train]\nnum_envs = 4\n");
    CHECK(acrl_config_load_file(fake_table, &c, path, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:2: unknown key 'train.num_envs'", path);
    CHECK(strcmp(err, want) == 0);
    CHECK(acrl_config_load_file(fake_table, &c, "/nonexistent/x.ini", err, sizeof(err)) == -1 &&
          strstr(err, "cannot open config /nonexistent/x.ini") != NULL);

    /* ---- write -> load gives back the same struct, values that need 17 digits included ---- */
    fake_defaults(&c);
    c.gamma = 0.1 + 0.2; /* 0.30000000000000004 */
    c.learning_rate = 1.0f / 3.0f;
    c.normalize_obs = 0;
    c.activation = ACT_RELU;
    c.hidden = (acrl_intlist){3, {400, 300, 7}};
    c.eval_episodes = -1;
    strcpy(c.run_name, "my run");
    FILE* f = fopen(path2, "w");
    CHECK(acrl_config_write(fake_table, &c, f) == 0);
    fclose(f);
    fake_config d;
    fake_defaults(&d);
    CHECK(acrl_config_load_file(fake_table, &d, path2, err, sizeof(err)) == 0);
    CHECK(memcmp(&c, &d, sizeof(c)) == 0);
    char v[64];
    acrl_config_format_value(&fake_table[2], &c, v, sizeof(v));
    CHECK(strcmp(v, "0.30000000000000004") == 0);
    acrl_config_format_value(&fake_table[1], &c, v, sizeof(v));
    CHECK(strcmp(v, "0.33333334") == 0);
    acrl_config_format_value(&fake_table[6], &c, v, sizeof(v));
    CHECK(strcmp(v, "400,300,7") == 0);
    fake_defaults(&c);
    acrl_config_format_value(&fake_table[1], &c, v, sizeof(v));
    CHECK(strcmp(v, "0.0003") == 0);
    /* the written file's exact text for the first two entries */
    f = fopen(path2, "r");
    char head[200] = "";
    size_t got = fread(head, 1, sizeof(head) - 1, f);
    head[got] = 0;
    fclose(f);
    const char* expect_head = "# parallel environments\nnum_envs = 8\n# Adam step size\nlearning_rate = 0.33333334\n";
    CHECK(strncmp(head, expect_head, strlen(expect_head)) == 0);
    printf("  written config starts:\n%.*s", (int)strlen(expect_head), head);

    unlink(path);
    unlink(path2);
    rmdir(dir);
    return test_summary("test_io_config");
}
