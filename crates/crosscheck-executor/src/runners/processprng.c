/* bcryptprimitives.dll for wine 8, which lacks it: Go >= 1.22 loads ProcessPrng from
 * system32's bcryptprimitives.dll at start and dies without it. ProcessPrng fills a buffer
 * with random bytes and cannot fail; RtlGenRandom (SystemFunction036 in advapi32) does the
 * same, in chunks of at most 2^30 bytes because its length is a ULONG. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
