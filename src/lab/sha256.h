/* sha256.h -- SHA-256 (FIPS 180-4), to check downloaded corpora. */
#ifndef SW_LAB_SHA256_H
#define SW_LAB_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct sw_sha256 { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t fill; } sw_sha256;

void sw_sha256_init(sw_sha256 *s);
void sw_sha256_update(sw_sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL. */
void sw_sha256_hex(sw_sha256 *s, char hex[65]);

#endif
