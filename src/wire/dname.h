/*
 * dname.h -- relations between uncompressed wire names (prefix wire_name_).
 *
 * "At or below" is decided label by label (RFC 4034 section 6.1: whole
 * labels, ASCII case folded), never as a string suffix: `ample.lab.` is
 * not below `example.lab.`, and `xample.net.` is not below `example.net.`.
 */
#ifndef HS_WIRE_DNAME_H
#define HS_WIRE_DNAME_H

#include <stddef.h>
#include <stdint.h>

/* 1 when `name` (len octets) is a valid uncompressed wire name filling
 * exactly `len` octets: labels of 1..63 octets, ending with the root label,
 * at most 255 octets. *nlabels (may be NULL) gets the number of labels
 * without the root. */
int wire_name_valid(const uint8_t *name, size_t len, size_t *nlabels);

/* 1 when `name` equals `apex` or is below it (whole labels, any case);
 * 0 otherwise, and for malformed input. The root is above every name. */
int wire_name_under(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len);

#endif
