#ifndef HS_TOOLS_VECTORS_H
#define HS_TOOLS_VECTORS_H
int vectors_rr_main(int argc, char **argv);
int vectors_hpke_main(int argc, char **argv);
#endif
