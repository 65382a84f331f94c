/* acrl/maze.h - Maze-v0, a family of grid mazes for generalisation (docs/generalisation.md).
 *
 * A level is an interior grid of w x h cells (walls or open; everything outside is wall),
 * a start and a goal cell. A generated level comes from a level seed and a wall density:
 * each cell is a wall with that probability, start and goal are distinct open cells, and
 * the draw is repeated (same generator) until the goal is reachable from the start. A level
 * file lists levels, one directive per line:
 *
 *     ; a comment (lines starting with ';'; blank lines are skipped)
 *     seed 17 0.25            generated: level seed, wall density in [0, 0.6], optional size (default 9)
 *     layout                  an explicit level: rows of '#' (wall), '.' (open), 'S' (start,
 *     #..#G                   once), 'G' (goal, once), all of one width, at most 32 x 32,
 *     S....                   until a line 'end'
 *     end
 *
 * The agent moves up, right, down or left (actions 0..3; into a wall: stays). Reaching the
 * goal ends the episode with reward 1 - 0.9 t / 100 (t: steps taken; MiniGrid's form, the
 * registry's time limit is 100); every other step gives 0. Observation: the egocentric 5 x 5
 * window around the agent, shape (2, 5, 5): channel 0 walls (outside the grid counts as wall),
 * channel 1 the goal.
 *
 * On reset the env plays the level set with acrl_maze_set_level if one is pending, else a
 * training level: level seed i uniform in [0, levels) with density max_density * u_i (u_i
 * uniform in [0, 1) from the level seed). env_args: levels=N (default 200; 0: any seed),
 * size=S (default 9, 3..32), max_density=D (default 0.35). */
#ifndef ACRL_MAZE_H
#define ACRL_MAZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acrl/env.h"

#define ACRL_MAZE_MAX 32      /* largest level side */
#define ACRL_MAZE_VIEW 2      /* view radius: a (2r+1) x (2r+1) window */

typedef struct {
    int     w, h;                                 /* interior size */
    uint8_t wall[ACRL_MAZE_MAX * ACRL_MAZE_MAX];  /* (h, w) 1: wall */
    int     sx, sy, gx, gy;                       /* start, goal (column, row) */
    int64_t seed;                                 /* level seed; -1: an explicit layout */
    double  density;                              /* generated levels' wall density */
} acrl_maze_level;

/* Generates the level of seed with the given density and size (3..32). Returns 0, or -1 with a
 * message when no level with a reachable goal came up in 10,000 draws (density too high). */
int acrl_maze_generate(acrl_maze_level* lvl, int64_t seed, double density, int size, char* err, size_t errlen);
/* Training level i of an env configured with size and max_density (see above). */
int acrl_maze_training_level(acrl_maze_level* lvl, int64_t i, double max_density, int size, char* err, size_t errlen);
/* Length of the shortest path from start to goal (-1: unreachable). */
int acrl_maze_distance(const acrl_maze_level* lvl);
/* Reads a level file. *levels (malloc'd, free it) gets *n >= 1 levels. Returns 0, or -1 with a
 * message naming the file and line (unknown symbols, no or two starts/goals, unequal rows, an
 * unreachable goal, a bad number, no levels). */
int acrl_maze_load_levels(const char* path, acrl_maze_level** levels, int* n, char* err, size_t errlen);
/* Makes env (Maze-v0, possibly wrapped) play lvl from its next reset on; the level is used by
 * that one reset only. Returns 0, or -1 if env is not a maze. */
int acrl_maze_set_level(acrl_env* env, const acrl_maze_level* lvl);
/* The level index env is playing: the training level index, or -1 for a set level. -2: not a maze. */
int64_t acrl_maze_current(const acrl_env* env);
/* Training levels env draws from (its `levels` setting; 0: unbounded), or -1 if not a maze. */
int acrl_maze_num_levels(const acrl_env* env);
/* env's size and max_density settings; -1 if not a maze. */
int acrl_maze_settings(const acrl_env* env, int* size, double* max_density);

#endif
