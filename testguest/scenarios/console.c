/* console: virtio-console port 0 (virtio 1.2 §5.3, no MULTIPORT: receiveq
 * is queue 0, transmitq queue 1). Sends "CONSOLE-HELLO", then answers each
 * line received with "CONSOLE-ECHO <line>" until "quit", each step shown on
 * the serial port too. Gives up after console_timeout_ms (default 10 s). */
#include "cmdline.h"
#include "console.h"
#include "format.h"
#include "libc.h"
#include "report.h"
#include "scenario.h"
#include "timer.h"
#include "virtio/virtio.h"

#define LINE_MAX_BYTES		128
#define DEFAULT_TIMEOUT_MS	10000
#define TX_TIMEOUT_MS		1000
#define RX_QUEUE		0
#define TX_QUEUE		1

static struct virtio_dev dev;
static uint8_t rx_buf[64];
static char tx_buf[LINE_MAX_BYTES + 16];
static unsigned irqs_missed;

static bool transmit(const char *fmt, const char *arg)
{
	size_t n = format(tx_buf, sizeof(tx_buf), fmt, arg);
	struct vbuf b = { tx_buf, (uint32_t)n, false };
	struct vq_completion c;

	vq_submit(&dev.vq[TX_QUEUE], &b, 1, false);
	c = vq_wait(&dev.vq[TX_QUEUE], TX_TIMEOUT_MS);
	irqs_missed += c.done && !c.by_irq;
	return c.done;
}

static void post_receive(void)
{
	struct vbuf b = { rx_buf, sizeof(rx_buf), true };

	vq_submit(&dev.vq[RX_QUEUE], &b, 1, false);
}

static uint64_t now_ms(void)
{
	return timer_ticks() * 1000 / TIMER_HZ;
}

/* Feeds received bytes into line; true with a whole line in it. */
static bool take_bytes(char *line, unsigned *len, const uint8_t *p, uint32_t n, uint32_t *used)
{
	for (*used = 0; *used < n;) {
		char ch = (char)p[(*used)++];

		if (ch == '\r' || ch == '\n') {
			if (*len)
				return true;
			continue;
		}
		if (*len < LINE_MAX_BYTES && ch >= ' ' && ch != 0x7f)
			line[(*len)++] = ch;
	}
	return false;
}

void scenario_console(void)
{
	const struct pci_func *f = virtio_find(VIRTIO_ID_CONSOLE);
	uint64_t timeout = DEFAULT_TIMEOUT_MS, deadline;
	char line[LINE_MAX_BYTES + 1];
	unsigned len = 0, lines = 0;
	uint32_t have = 0, pos = 0;
	bool bad, opened;

	if (param_u64("console_timeout_ms", &timeout, &bad) && (bad || timeout > 3600000)) {
		report_fail("session", "console_timeout_ms='%s' is not a number of ms up to an hour",
			    param("console_timeout_ms"));
		return;
	}
	if (!report_check(f != NULL, "found", "virtio-console %s", f ? "on bus 0" : "missing"))
		return;
	opened = virtio_open(&dev, f, 0, 2);
	if (!report_check(opened, "open", "%s", opened ? "DRIVER_OK" : dev.error))
		return;
	post_receive();
	if (!report_check(transmit("CONSOLE-HELLO\n", NULL), "hello", "CONSOLE-HELLO sent on the transmit queue"))
		goto out;
	console_printf("console: CONSOLE-HELLO sent, waiting for lines\n");
	deadline = now_ms() + timeout;
	for (;;) {
		struct vq_completion c;
		uint32_t used;
		bool whole;

		if (pos == have) {
			uint64_t now = now_ms();

			c = vq_wait(&dev.vq[RX_QUEUE], now < deadline ? (unsigned)(deadline - now) : 0);
			if (!c.done)
				break;
			irqs_missed += !c.by_irq;
			have = c.len <= sizeof(rx_buf) ? c.len : sizeof(rx_buf);
			pos = 0;
		}
		whole = take_bytes(line, &len, rx_buf + pos, have - pos, &used);
		pos += used;
		if (pos == have)
			post_receive();
		if (!whole)
			continue;
		line[len] = '\0';
		len = 0;
		if (strcmp(line, "quit") == 0) {
			report_pass("session", "%u lines echoed, then quit", lines);
			report_check(irqs_missed == 0, "irq", "%u completions without their MSI-X interrupt",
				     irqs_missed);
			goto out;
		}
		console_printf("console: received '%s'\n", line);
		if (!transmit("CONSOLE-ECHO %s\n", line))
			break;
		lines++;
	}
	report_fail("session", "no 'quit' line within %lu ms (%u lines echoed)", timeout, lines);
out:
	virtio_reset(&dev);
}
