#ifndef HS_TOOLS_KEYGEN_H
#define HS_TOOLS_KEYGEN_H
int keygen_hpke_main(int argc, char **argv);
int keygen_sig0_main(int argc, char **argv);
#endif
