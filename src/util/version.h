/*
 * version.h -- the one version string of every hsync program
 * (`PROG --version`, hsyncctl status, the man pages).
 */
#ifndef HS_UTIL_VERSION_H
#define HS_UTIL_VERSION_H

#define HS_PACKAGE "hsync"
#define HS_VERSION "0.2.0"

#endif
