#ifndef HS_TOOLS_BENCH_H
#define HS_TOOLS_BENCH_H
int bench_attack_main(int argc, char **argv);
int bench_combiner_main(int argc, char **argv);
int bench_discovery_main(int argc, char **argv);
int bench_flood_main(int argc, char **argv);
int bench_engine_main(int argc, char **argv);
int bench_hpke_main(int argc, char **argv);
int bench_sig0_main(int argc, char **argv);
int bench_sign_main(int argc, char **argv);
int bench_sync_main(int argc, char **argv);
int bench_transport_main(int argc, char **argv);
int bench_zone_main(int argc, char **argv);
#endif
