/* The vmm's device models without KVM: I/O dispatch, the 8250 UART's
 * registers, interrupts and receive flow control, and the guest's ways to
 * stop the machine (i8042 reset, ACPI sleep). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "vmm/exit_status.h"
#include "vmm/i8042.h"
#include "vmm/io_bus.h"
#include "vmm/serial.h"
#include "vmm/vm_stop.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/sleep_ctl.h"

static uint64_t last_offset;
static int last_opaque;

static void record(void *opaque, uint64_t offset, uint8_t *data, unsigned int size,
		   bool is_write)
{
	last_offset = offset;
	last_opaque = *(int *)opaque;
	if (!is_write)
		memset(data, 0x5a, size);
}

START_TEST(io_bus_dispatches_by_range)
{
	struct io_bus bus;
	int a = 1, b = 2;
	uint8_t data[4];

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x3f8, 8, record, &b), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x60, 1, record, &a), 0);
	ck_assert(io_bus_access(&bus, 0x3fd, data, 1, false));
	ck_assert_int_eq(last_opaque, 2);
	ck_assert_uint_eq(last_offset, 5);
	ck_assert_uint_eq(data[0], 0x5a);
	ck_assert(io_bus_access(&bus, 0x60, data, 1, true));
	ck_assert_int_eq(last_opaque, 1);
	ck_assert(!io_bus_access(&bus, 0x61, data, 1, false));
	ck_assert(!io_bus_access(&bus, 0x400, data, 1, false));
	ck_assert(!io_bus_access(&bus, 0x3f7, data, 1, false));
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(io_bus_refuses_overlap)
{
	struct io_bus bus;
	int a = 1;

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x100, 0x10, record, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x10f, 1, record, &a), -1);
	ck_assert_int_eq(io_bus_register(&bus, 0xf8, 0x9, record, &a), -1);
	ck_assert_int_eq(io_bus_register(&bus, 0xf0, 0x10, record, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x110, 0, record, &a), -1);
	io_bus_destroy(&bus);
}
END_TEST

/* A UART writing to a pipe, with its IRQ line and drain callback recorded. */
struct uart_fixture {
	struct serial uart;
	int pipe[2];
	int irq;
	int irq_changes;
	int drained;
};

static void fixture_irq(void *opaque, int level)
{
	struct uart_fixture *f = opaque;

	f->irq = level;
	f->irq_changes++;
}

static void fixture_drained(void *opaque)
{
	((struct uart_fixture *)opaque)->drained++;
}

static void fixture_init(struct uart_fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK), 0);
	serial_init(&f->uart, f->pipe[1], fixture_irq, fixture_drained, f);
}

static void fixture_fini(struct uart_fixture *f)
{
	serial_destroy(&f->uart);
	close(f->pipe[0]);
	close(f->pipe[1]);
}

static uint8_t reg_read(struct uart_fixture *f, unsigned int reg)
{
	uint8_t v;

	serial_io(&f->uart, reg, &v, 1, false);
	return v;
}

static void reg_write(struct uart_fixture *f, unsigned int reg, uint8_t v)
{
	serial_io(&f->uart, reg, &v, 1, true);
}

START_TEST(serial_transmits_to_fd)
{
	struct uart_fixture f;
	char buf[8];

	fixture_init(&f);
	reg_write(&f, 0, 'h');
	reg_write(&f, 0, 'i');
	ck_assert_int_eq(read(f.pipe[0], buf, sizeof(buf)), 2);
	ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
	ck_assert_uint_eq(reg_read(&f, 5) & 0x60, 0x60);	/* THRE | TEMT */
	ck_assert_int_eq(f.irq_changes, 0);			/* IER is 0 */
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_divisor_latch)
{
	struct uart_fixture f;
	char buf[8];

	fixture_init(&f);
	reg_write(&f, 3, 0x80);		/* DLAB */
	reg_write(&f, 0, 0x01);
	reg_write(&f, 1, 0x00);
	ck_assert_uint_eq(reg_read(&f, 0), 0x01);
	reg_write(&f, 3, 0x03);		/* 8N1 */
	ck_assert_uint_eq(reg_read(&f, 3), 0x03);
	ck_assert_int_eq(read(f.pipe[0], buf, sizeof(buf)), -1);	/* nothing sent */
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_thre_interrupt)
{
	struct uart_fixture f;
	char buf[8];

	fixture_init(&f);
	reg_write(&f, 1, 0x02);				/* enable THRI */
	ck_assert_int_eq(f.irq, 1);			/* empty THR raises it */
	ck_assert_uint_eq(reg_read(&f, 2) & 0x0f, 0x02);	/* IIR: THRE */
	ck_assert_int_eq(f.irq, 0);			/* reading IIR acknowledged it */
	ck_assert_uint_eq(reg_read(&f, 2) & 0x0f, 0x01);	/* nothing pending */
	reg_write(&f, 0, 'x');
	ck_assert_int_eq(f.irq, 1);			/* sent: empty again */
	reg_write(&f, 1, 0x00);
	ck_assert_int_eq(f.irq, 0);
	ck_assert_int_eq(read(f.pipe[0], buf, sizeof(buf)), 1);
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_receive_fifo)
{
	struct uart_fixture f;

	fixture_init(&f);
	reg_write(&f, 2, 0x07);				/* FIFO on, cleared */
	ck_assert_uint_eq(reg_read(&f, 2) & 0xc0, 0xc0);
	reg_write(&f, 1, 0x01);				/* enable RDI */
	ck_assert_int_eq(f.irq, 0);
	ck_assert_uint_eq(serial_rx_push(&f.uart, (const uint8_t *)"ab", 2), 2);
	ck_assert_int_eq(f.irq, 1);
	ck_assert_uint_eq(reg_read(&f, 2) & 0x0f, 0x04);	/* IIR: data */
	ck_assert_uint_eq(reg_read(&f, 5) & 0x01, 0x01);	/* LSR: DR */
	ck_assert_uint_eq(reg_read(&f, 0), 'a');
	ck_assert_int_eq(f.irq, 1);
	ck_assert_uint_eq(reg_read(&f, 0), 'b');
	ck_assert_int_eq(f.irq, 0);
	ck_assert_uint_eq(reg_read(&f, 5) & 0x01, 0);
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_flow_control)
{
	struct uart_fixture f;
	uint8_t bytes[SERIAL_FIFO_SIZE + 4];

	fixture_init(&f);
	memset(bytes, 'z', sizeof(bytes));
	ck_assert_uint_eq(serial_rx_room(&f.uart), SERIAL_FIFO_SIZE);
	ck_assert_uint_eq(serial_rx_push(&f.uart, bytes, sizeof(bytes)), SERIAL_FIFO_SIZE);
	ck_assert_uint_eq(serial_rx_room(&f.uart), 0);	/* the reader pauses */
	ck_assert_int_eq(f.drained, 0);
	reg_read(&f, 0);
	ck_assert_int_eq(f.drained, 1);			/* ...and is told to resume */
	reg_read(&f, 0);
	ck_assert_int_eq(f.drained, 1);			/* once */
	ck_assert_uint_eq(serial_rx_room(&f.uart), 2);
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_fifo_clear_resumes_reader)
{
	struct uart_fixture f;
	uint8_t bytes[SERIAL_FIFO_SIZE];

	fixture_init(&f);
	memset(bytes, 'q', sizeof(bytes));
	serial_rx_push(&f.uart, bytes, sizeof(bytes));
	ck_assert_uint_eq(serial_rx_room(&f.uart), 0);
	reg_write(&f, 2, 0x03);				/* clear the receive FIFO */
	ck_assert_int_eq(f.drained, 1);
	ck_assert_uint_eq(serial_rx_room(&f.uart), SERIAL_FIFO_SIZE);
	fixture_fini(&f);
}
END_TEST

START_TEST(serial_loopback_modem_status)
{
	struct uart_fixture f;

	fixture_init(&f);
	ck_assert_uint_eq(reg_read(&f, 6), 0xb0);	/* DCD, DSR, CTS */
	reg_write(&f, 4, 0x10 | 0x0a);			/* LOOP + RTS + OUT2 */
	ck_assert_uint_eq(reg_read(&f, 6), 0x90);	/* DCD + CTS */
	reg_write(&f, 7, 0x42);
	ck_assert_uint_eq(reg_read(&f, 7), 0x42);	/* scratch */
	fixture_fini(&f);
}
END_TEST

static void port_write(struct io_bus *bus, uint16_t port, uint8_t v)
{
	ck_assert(io_bus_access(bus, port, &v, 1, true));
}

START_TEST(i8042_reset_stops_the_guest)
{
	struct io_bus bus;
	struct vm_stop stop;
	uint8_t status = 0xff;

	io_bus_init(&bus);
	ck_assert_int_eq(vm_stop_init(&stop), 0);
	ck_assert_int_eq(i8042_register(&bus, &stop), 0);
	ck_assert(io_bus_access(&bus, 0x64, &status, 1, false));
	ck_assert_uint_eq(status, 0);
	port_write(&bus, 0x64, 0xad);			/* another command */
	ck_assert(!vm_stop_requested(&stop));
	port_write(&bus, 0x64, 0xfe);
	ck_assert(vm_stop_requested(&stop));
	ck_assert_int_eq(stop.status, VMM_EXIT_GUEST_STOPPED);
	ck_assert_str_eq(stop.reason, "guest stopped: i8042 reset");
	vm_stop_destroy(&stop);
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(acpi_sleep_s5_stops_the_guest)
{
	struct io_bus bus;
	struct vm_stop stop;

	io_bus_init(&bus);
	ck_assert_int_eq(vm_stop_init(&stop), 0);
	ck_assert_int_eq(sleep_ctl_register(&bus, &stop), 0);
	port_write(&bus, LAYOUT_ACPI_SLEEP_PORT, 5 << 2);	/* SLP_TYP without SLP_EN */
	ck_assert(!vm_stop_requested(&stop));
	port_write(&bus, LAYOUT_ACPI_SLEEP_PORT, (5 << 2) | 0x20);
	ck_assert(vm_stop_requested(&stop));
	ck_assert_int_eq(stop.status, VMM_EXIT_GUEST_STOPPED);
	ck_assert_str_eq(stop.reason, "guest stopped: ACPI power off (S5)");
	vm_stop_destroy(&stop);
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(first_stop_request_wins)
{
	struct vm_stop stop;
	uint64_t count;

	ck_assert_int_eq(vm_stop_init(&stop), 0);
	vm_stop_request(&stop, VMM_EXIT_GUEST_ERROR, "vCPU %u: broke", 1);
	vm_stop_request(&stop, VMM_EXIT_ASKED_TO_STOP, "stopped by SIGTERM");
	ck_assert_int_eq(stop.status, VMM_EXIT_GUEST_ERROR);
	ck_assert_str_eq(stop.reason, "vCPU 1: broke");
	ck_assert_int_eq(read(stop.fd, &count, sizeof(count)), sizeof(count));
	ck_assert_uint_eq(count, 1);
	vm_stop_destroy(&stop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_devices");
	TCase *tc = tcase_create("devices");

	tcase_add_test(tc, io_bus_dispatches_by_range);
	tcase_add_test(tc, io_bus_refuses_overlap);
	tcase_add_test(tc, serial_transmits_to_fd);
	tcase_add_test(tc, serial_divisor_latch);
	tcase_add_test(tc, serial_thre_interrupt);
	tcase_add_test(tc, serial_receive_fifo);
	tcase_add_test(tc, serial_flow_control);
	tcase_add_test(tc, serial_fifo_clear_resumes_reader);
	tcase_add_test(tc, serial_loopback_modem_status);
	tcase_add_test(tc, i8042_reset_stops_the_guest);
	tcase_add_test(tc, acpi_sleep_s5_stops_the_guest);
	tcase_add_test(tc, first_stop_request_wins);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
