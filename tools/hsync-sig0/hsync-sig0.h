#ifndef HS_TOOLS_SIG0_H
#define HS_TOOLS_SIG0_H
int sig0tool_sign_main(int argc, char **argv);
int sig0tool_verify_main(int argc, char **argv);
/* Parse a non-negative decimal number for option `opt`; 0 ok, -1 error. */
int sig0tool_u32(const char *opt, const char *text, uint32_t *out);
#endif
