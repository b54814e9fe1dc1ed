#ifndef HS_TOOLS_BENCH_H
#define HS_TOOLS_BENCH_H
#include <stddef.h>
int bench_attack_main(int argc, char **argv);
int bench_combiner_main(int argc, char **argv);
int bench_parent_main(int argc, char **argv);
/* combiner.c: `m` bare SQLite commits of one row each (WAL,
 * synchronous=FULL) in DIR/bare.db; seconds in *t. 0 or -1. */
int bench_bare_commits(const char *dir, size_t m, double *t);
/* combiner.c: remove a directory tree (0 or -1). */
int bench_rmrf(const char *dir);
int bench_discovery_main(int argc, char **argv);
int bench_flood_main(int argc, char **argv);
int bench_engine_main(int argc, char **argv);
int bench_hpke_main(int argc, char **argv);
int bench_sig0_main(int argc, char **argv);
int bench_sign_main(int argc, char **argv);
int bench_signer_main(int argc, char **argv);
int bench_sync_main(int argc, char **argv);
int bench_transport_main(int argc, char **argv);
int bench_zone_main(int argc, char **argv);
#endif
