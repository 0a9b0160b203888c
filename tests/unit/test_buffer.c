/* test_buffer.c - out of memory is a failed append, never an abort. */
#include <stdint.h>
#include <stdio.h>

#include "buffer.h"
#include "check.h"

/* Under AddressSanitizer a huge allocation must fail as in libc. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

int main(void)
{
	struct buffer b;

	buffer_init(&b);
	buffer_puts(&b, "kept");
	CHECK(!b.failed && b.len == 4);
	/* More than memory holds: refused, the contents kept. */
	CHECK(!buffer_try_reserve(&b, SIZE_MAX / 2));
	CHECK(b.failed);
	CHECK(b.len == 4 && memcmp(b.data, "kept", 4) == 0);
	b.failed = false;
	/* len + n past SIZE_MAX: refused without wrapping. */
	CHECK(!buffer_grow(&b, SIZE_MAX - 1));
	CHECK(b.failed && b.len == 4);
	b.failed = false;
	buffer_append(&b, NULL, 0);     /* an empty span may have no pointer */
	CHECK(!b.failed && b.len == 4);
	buffer_putc(&b, '!');
	CHECK(b.len == 5 && b.data[4] == '!');
	/* numbers, two digits at a time: every length, both parities */
	{
		static const unsigned long long v[] = { 0, 7, 10, 99, 100, 101,
			999, 1000, 12345, 1795817598ULL, 18446744073709551615ULL };
		char want[32];
		size_t i;
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			int n = snprintf(want, sizeof(want), "%llu", v[i]);
			b.len = 0;
			buffer_put_u64(&b, v[i]);
			CHECK(b.len == (size_t)n && memcmp(b.data, want, b.len) == 0);
		}
	}
	buffer_free(&b);
	return check_report("test_buffer");
}
