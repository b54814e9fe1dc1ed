/*
 * roles.c -- the role table: one row per role a daemon can run
 * (server: role:), and the options that belong to one role only. A new
 * role (signer, ...) is a new row here and a role_<name>.c with its hooks
 * (the parent's are in wire_parent.c); nothing else in the daemon
 * branches on the role's name.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/hd_int.h"

static const hd_role_t *const roles[] = {
    &hd_role_agent,
    &hd_role_combiner,
    &hd_role_signer,
    &hd_role_parent,
};

#define NROLES (sizeof(roles) / sizeof(roles[0]))

const hd_role_t *hd_role_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < NROLES; i++)
		if (strcmp(roles[i]->name, name) == 0)
			return roles[i];
	return NULL;
}

const char *hd_role_choices(void)
{
	static char choices[256];
	size_t used = 0;

	if (choices[0] != '\0')
		return choices;
	for (size_t i = 0; i < NROLES; i++)
		used += (size_t)snprintf(choices + used, sizeof(choices) - used, "%s%s",
		                         i ? "|" : "", roles[i]->name);
	return choices;
}

/* Options written for one role only: given to another, the file is
 * refused, so an operator never believes an option does something. */
static const struct {
	const char *section, *option; /* option NULL = the whole section */
	const char *role;
} owned[] = {
    /* role: one or several, '|'-separated */
    {"server", "confirm-timeout", "agent"},
    {"server", "election-lease", "agent"},
    {"server", "election-vote-window", "agent"},
    {"zone", "ns", "agent"},
    {"zone", "ns-ttl", "agent"},
    {"zone", "signer-policy", "signer"},
    {"combiner", "identity", "agent"},
    {"combiner", "address", "agent"},
    {"combiner", "key", "agent"},
    {"combiner", "key-file", "agent"},
    {"combiner", "hpkekey", "agent"},
    {"combiner", "hpkekey-file", "agent"},
    {"combiner", "protect", "combiner"},
    {"combiner", "ttl-min", "combiner"},
    {"combiner", "ttl-max", "combiner"},
    {"combiner", "approval", "combiner"},
    {"agent", NULL, "combiner|signer"},
    {"signer", NULL, "agent"},
    {"signer-policy", NULL, "signer"},
    {"parent", NULL, "parent"},
};

/* The first value of `opt` written in the file in any block of `sec`
 * (a default has line 0), or NULL. */
static const conf_val_t *written(const conf_t *cf, const char *sec, const char *opt,
                                 unsigned *sec_line)
{
	for (size_t b = 0; b < conf_sec_count(cf, sec); b++) {
		const conf_sec_t *s = conf_sec_at(cf, sec, b);
		const conf_val_t *v;
		if (opt == NULL) {
			if (conf_sec_line(s) != 0) {
				*sec_line = conf_sec_line(s);
				return NULL;
			}
			continue;
		}
		if ((v = conf_val(s, opt, 0)) != NULL && v->line != 0)
			return v;
	}
	return NULL;
}

/* Is `role` one of the '|'-separated `list`? */
static int role_in(const char *list, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = list; p != NULL; p = strchr(p, '|')) {
		if (*p == '|')
			p++;
		if (strncmp(p, role, n) == 0 && (p[n] == '\0' || p[n] == '|'))
			return 1;
	}
	return 0;
}

int hd_role_check_options(const conf_t *cf, const hd_config_t *c, hs_errmsg_t *em)
{
	const char *role = hd_role_name(c);

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		unsigned sl = 0;
		const conf_val_t *v;
		if (role_in(owned[i].role, role))
			continue;
		v = written(cf, owned[i].section, owned[i].option, &sl);
		if (owned[i].option == NULL && sl != 0)
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: %s: only for role %s (server.role is %s)", c->path,
			               sl, owned[i].section, owned[i].role, role);
		if (v != NULL)
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: %s.%s: only for role %s (server.role is %s)",
			               c->path, v->line, owned[i].section, owned[i].option,
			               owned[i].role, role);
	}
	return HS_OK;
}
