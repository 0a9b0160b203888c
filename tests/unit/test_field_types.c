/* Unit tests of laurel's field table and its decimal rule. */
#include "check.h"
#include "field_types.h"

static enum field_type type_of(const char *name)
{
	return field_type_of(span_make(name, strlen(name)));
}

/* The canonical form of v, or "-" when it is no int64 decimal. */
static const char *canon(const char *v)
{
	static char out[32];
	char buf[24];
	struct span c;

	if (!field_decimal(span_make(v, strlen(v)), &c, buf))
		return "-";
	memcpy(out, c.p, c.len);
	out[c.len] = 0;
	return out;
}

int main(void)
{
	/* the dictionary's classes and laurel's common fields */
	CHECK(type_of("pid") == FIELD_DECIMAL);
	CHECK(type_of("inode") == FIELD_DECIMAL);
	CHECK(type_of("audit_backlog_limit") == FIELD_DECIMAL);
	CHECK(type_of("prog-id") == FIELD_DECIMAL);
	CHECK(type_of("arch") == FIELD_HEX);
	CHECK(type_of("cap_fver") == FIELD_HEX);
	CHECK(type_of("cap_pb") == FIELD_HEX);
	CHECK(type_of("mode") == FIELD_OCTAL);
	CHECK(type_of("saddr") == FIELD_ENCODED);
	CHECK(type_of("proctitle") == FIELD_ENCODED);
	/* any name ending in uid or gid is an id number */
	CHECK(type_of("ouid") == FIELD_DECIMAL);
	CHECK(type_of("new-gid") == FIELD_DECIMAL);
	CHECK(type_of("uid") == FIELD_DECIMAL);
	/* untyped in the table, or unknown: text */
	CHECK(type_of("cap_frootid") == FIELD_TEXT);
	CHECK(type_of("frootid") == FIELD_TEXT);
	CHECK(type_of("old") == FIELD_TEXT);
	CHECK(type_of("sec") == FIELD_TEXT);
	CHECK(type_of("oflag") == FIELD_TEXT);
	CHECK(type_of("id") == FIELD_TEXT);
	CHECK(type_of("UID") == FIELD_TEXT);  /* the tail's translations */
	CHECK(type_of("") == FIELD_TEXT);
	CHECK(type_of("pidx") == FIELD_TEXT);
	CHECK(type_of("xpid") == FIELD_TEXT);
	CHECK(type_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") ==
	      FIELD_TEXT);

	/* decimals: as written when canonical, else rewritten */
	CHECK_STR(canon("0"), "0");
	CHECK_STR(canon("4294967295"), "4294967295");
	CHECK_STR(canon("-2"), "-2");
	CHECK_STR(canon("00"), "0");
	CHECK_STR(canon("007"), "7");
	CHECK_STR(canon("-0"), "0");
	CHECK_STR(canon("+1"), "1");
	CHECK_STR(canon("-007"), "-7");
	CHECK_STR(canon("9007199254740993"), "9007199254740993");
	CHECK_STR(canon("9223372036854775807"), "9223372036854775807");
	CHECK_STR(canon("-9223372036854775808"), "-9223372036854775808");
	CHECK_STR(canon("0000000000000000000000042"), "42");
	/* beyond int64, or not a decimal */
	CHECK_STR(canon("9223372036854775808"), "-");
	CHECK_STR(canon("-9223372036854775809"), "-");
	CHECK_STR(canon("18446744073709551615"), "-");
	CHECK_STR(canon(""), "-");
	CHECK_STR(canon("-"), "-");
	CHECK_STR(canon("+"), "-");
	CHECK_STR(canon("1a"), "-");
	CHECK_STR(canon("0x10"), "-");
	CHECK_STR(canon(" 1"), "-");
	return check_report("test_field_types");
}
