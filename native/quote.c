/*
** gleaner_json_quote(text): the text as a JSON string, the same bytes JSON.stringify() writes for it
** (\" \\ \b \t \n \f \r, \u00xx for the other control characters, everything else as it is): as
** TEXT when every byte is ASCII, else as a BLOB of UTF-8 bytes.
**
** The client APIs send each entry's body quoted this way, a 100-entry Miniflux list 350 KB of them.
** SQLite's json_quote() looks at every byte in a table (8.5% of all the CPU of two processes
** serving that list); this looks at sixteen (or eight) at a time, for the three kinds of byte that
** need a backslash, and copies the runs between them whole.
**
** Why two types: better-sqlite3 makes each BLOB a Buffer, memory allocated outside V8's heap and
** freed on V8's sweeper thread; a list's hundred of them cost more than reading and quoting the
** bodies (glibc's allocator lock passed between the two threads). TEXT becomes a V8 string, copied
** as it is when all of it is ASCII; beyond ASCII it would be decoded into a two-byte string and
** encoded again to be sent, so those stay bytes.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether any byte of the word is below 0x20, a quote or a backslash (no false answers). */
static int needsEscape(uint64_t w) {
  uint64_t control = (w - ONES * 0x20) & ~w & HIGHS;
  uint64_t q = w ^ (ONES * '"');
  uint64_t b = w ^ (ONES * '\\');
  uint64_t quote = (q - ONES) & ~q & HIGHS;
  uint64_t backslash = (b - ONES) & ~b & HIGHS;
  return (control | quote | backslash) != 0;
}

/*
** Where the run of bytes that need no escape, from z[i], ends (n at most); a byte above 0x7f among
** those looked at sets `*wide`.
*/
static size_t plainRunEnd(const unsigned char *z, size_t i, size_t n, int *wide) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1f);
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128((const __m128i *)(z + i));
    /* A byte is below 0x20 when the larger of it and 0x1f is 0x1f. */
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
    *wide |= _mm_movemask_epi8(v);
    int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    i += 16;
  }
#endif
  while (i + 8 <= n) {
    uint64_t w;
    memcpy(&w, z + i, 8);
    if (needsEscape(w)) break;
    *wide |= (w & HIGHS) != 0;
    i += 8;
  }
  while (i < n && z[i] >= 0x20 && z[i] != '"' && z[i] != '\\') *wide |= z[i++] >= 0x80;
  return i;
}

/* The short escape of a control character, or 0 for \u00xx. */
static char shortEscape(unsigned char c) {
  switch (c) {
    case '\b': return 'b';
    case '\t': return 't';
    case '\n': return 'n';
    case '\f': return 'f';
    case '\r': return 'r';
    default: return 0;
  }
}

static void jsonQuote(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_text(ctx, "null", 4, SQLITE_STATIC);
    return;
  }
  const unsigned char *z = sqlite3_value_text(argv[0]);
  size_t n = (size_t)sqlite3_value_bytes(argv[0]);
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  /* Room for the text, its quotes and some escapes; more is found when needed. */
  size_t size = n + n / 16 + 16;
  unsigned char *out = sqlite3_malloc64(size);
  if (out == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  static const char hex[] = "0123456789abcdef";
  size_t at = 0;
  out[at++] = '"';
  size_t i = 0;
  int wide = 0;
  while (i < n) {
    size_t k = plainRunEnd(z, i, n, &wide);
    /* The run, then the longest escape (6 bytes) and the closing quote. */
    if (at + (k - i) + 7 > size) {
      size = (at + (k - i) + 7) + (n - k) + (n - k) / 8 + 16;
      unsigned char *bigger = sqlite3_realloc64(out, size);
      if (bigger == 0) {
        sqlite3_free(out);
        sqlite3_result_error_nomem(ctx);
        return;
      }
      out = bigger;
    }
    memcpy(out + at, z + i, k - i);
    at += k - i;
    if (k == n) break;
    unsigned char c = z[k];
    i = k + 1;
    out[at++] = '\\';
    if (c == '"' || c == '\\') out[at++] = c;
    else if (shortEscape(c)) out[at++] = shortEscape(c);
    else {
      memcpy(out + at, "u00", 3);
      out[at + 3] = hex[c >> 4];
      out[at + 4] = hex[c & 15];
      at += 5;
    }
  }
  out[at++] = '"';
  if (wide) sqlite3_result_blob64(ctx, out, at, sqlite3_free);
  else sqlite3_result_text64(ctx, (const char *)out, at, sqlite3_free, SQLITE_UTF8);
}

int gleanerQuoteRegister(sqlite3 *db) {
  return sqlite3_create_function_v2(db, "gleaner_json_quote", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0, jsonQuote,
                                    0, 0, 0);
}
