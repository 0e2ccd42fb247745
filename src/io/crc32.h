/* crc32.h -- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the
 * zlib/PNG/gzip one): crc32 of "123456789" is 0xCBF43926. */
#ifndef SW_IO_CRC32_H
#define SW_IO_CRC32_H
#include <stddef.h>
#include <stdint.h>
/* Continues crc (start with 0) over n bytes. */
uint32_t sw_crc32(uint32_t crc, const void *data, size_t n);
#endif
