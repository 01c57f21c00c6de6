#include <stdbool.h>
#include <stdint.h>

#include "format.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
}

struct spec {
	bool zero, left, alt;
	unsigned width;
};

static void put_padded(struct out *o, const struct spec *sp, const char *prefix, const char *s, size_t n)
{
	size_t plen = 0, total, pad;

	while (prefix[plen])
		plen++;
	total = plen + n;
	pad = sp->width > total ? sp->width - total : 0;
	if (!sp->left && !sp->zero)
		for (; pad; pad--)
			put(o, ' ');
	while (*prefix)
		put(o, *prefix++);
	if (!sp->left)
		for (; pad; pad--)
			put(o, '0');
	while (n--)
		put(o, *s++);
	for (; pad; pad--)
		put(o, ' ');
}

static void put_number(struct out *o, const struct spec *sp, uint64_t v, unsigned base, bool negative)
{
	char digits[24];
	size_t n = sizeof(digits);
	const char *prefix = negative ? "-" : (sp->alt && base == 16) ? "0x" : "";

	do {
		digits[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	put_padded(o, sp, prefix, digits + n, sizeof(digits) - n);
}

size_t format_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		struct spec sp = { false, false, false, 0 };
		unsigned longs = 0;
		uint64_t u;
		int64_t i;
		const char *s;
		char c;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (unsigned)(*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;
		switch (*fmt) {
		case 'd':
		case 'i':
			i = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_number(&o, &sp, i < 0 ? -(uint64_t)i : (uint64_t)i, 10, i < 0);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, &sp, u, *fmt == 'u' ? 10 : 16, false);
			break;
		case 'p':
			sp.alt = true;
			put_number(&o, &sp, (uintptr_t)va_arg(ap, void *), 16, false);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			u = 0;
			while (s[u])
				u++;
			sp.zero = false;
			put_padded(&o, &sp, "", s, u);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put_padded(&o, &sp, "", &c, 1);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (o.size)
		o.buf[o.len] = '\0';
	return o.len;
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_v(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
