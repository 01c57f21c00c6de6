# ipc/: message framing with fd passing, JSON schema validation, and the
# schemas every program carries.

# Schemas compiled into libipc.la (looked up with ipc_schema_get("NAME")
# for schemas/NAME.schema.json). A folder that adds a schema appends it in
# its own local.mk:
#	IPC_SCHEMAS += schemas/vmm-config.schema.json
# Listed files are also distributed.
IPC_SCHEMAS =
EXTRA_DIST += $(IPC_SCHEMAS) ipc/embed-schemas.awk

# Generate a C table of schemas. Run in the source tree so each entry is
# named by its relative path, whatever the build directory.
# Use: (cd $(srcdir) && $(IPC_EMBED_SCHEMAS) -v table=C_NAME FILES...)
IPC_EMBED_SCHEMAS = $(AWK) -f ipc/embed-schemas.awk

# The management protocol: schemas/protocol.json is the one source of its
# enums, limits and method tables (ipc/protocol.h, ipc/protocol_tables.c,
# made by the build tool ipc/protogen) and of docs/protocol.md (committed;
# tests/integration/protocol-doc.sh fails when it differs from what
# `make protocol-doc` writes).
PROTOCOL_JSON = $(srcdir)/schemas/protocol.json
EXTRA_DIST += schemas/protocol.json docs/protocol.md
noinst_PROGRAMS += ipc/protogen
ipc_protogen_SOURCES = ipc/protogen.c
ipc_protogen_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ipc_protogen_LDADD = $(JANSSON_LIBS)
BUILT_SOURCES += ipc/protocol.h ipc/protocol_tables.c
CLEANFILES += ipc/protocol.h ipc/protocol_tables.c
ipc/protocol.h: $(PROTOCOL_JSON) ipc/protogen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) ipc && ipc/protogen$(EXEEXT) header $(PROTOCOL_JSON) >$@-t && mv $@-t $@
ipc/protocol_tables.c: $(PROTOCOL_JSON) ipc/protogen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) ipc && ipc/protogen$(EXEEXT) source $(PROTOCOL_JSON) >$@-t && mv $@-t $@
.PHONY: protocol-doc
protocol-doc: ipc/protogen$(EXEEXT)
	ipc/protogen$(EXEEXT) markdown $(PROTOCOL_JSON) >$(srcdir)/docs/protocol.md
dist_check_SCRIPTS += tests/integration/protocol-doc.sh
TESTS += tests/integration/protocol-doc.sh

noinst_LTLIBRARIES += ipc/libipc.la
ipc_libipc_la_SOURCES = \
	ipc/frame.c ipc/frame.h \
	ipc/protocol.c \
	ipc/schema.c ipc/schema.h ipc/schema_internal.h \
	ipc/schema_validate.c \
	ipc/decode.c ipc/decode.h \
	ipc/scm_rights.h \
	ipc/vhost_user_proto.h
nodist_ipc_libipc_la_SOURCES = ipc/embedded_schemas.c ipc/protocol.h ipc/protocol_tables.c
ipc_libipc_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ipc_libipc_la_LIBADD = $(JANSSON_LIBS)
CLEANFILES += ipc/embedded_schemas.c

ipc/embedded_schemas.c: $(IPC_SCHEMAS) ipc/embed-schemas.awk
	$(AM_V_GEN)$(MKDIR_P) ipc && \
	(cd $(srcdir) && $(IPC_EMBED_SCHEMAS) -v table=ipc_embedded_schemas $(IPC_SCHEMAS)) > $@-t && \
	mv $@-t $@

# Unit tests. Their schemas (tests/unit/schemas/) are embedded the same way
# as the real ones, as the table test_embedded_schemas.
IPC_TEST_SCHEMAS = tests/unit/schemas/test-config.schema.json
EXTRA_DIST += $(IPC_TEST_SCHEMAS)
CLEANFILES += tests/unit/test_schemas.c
tests/unit/test_schemas.c: $(IPC_TEST_SCHEMAS) ipc/embed-schemas.awk
	$(AM_V_GEN)$(MKDIR_P) tests/unit && \
	(cd $(srcdir) && $(IPC_EMBED_SCHEMAS) -v table=test_embedded_schemas $(IPC_TEST_SCHEMAS)) > $@-t && \
	mv $@-t $@

IPC_CHECK_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
IPC_CHECK_LDADD = ipc/libipc.la tests/unit/libchecktap.la $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_ipc_frame tests/unit/check_ipc_schema
TESTS += tests/unit/check_ipc_frame tests/unit/check_ipc_schema
tests_unit_check_ipc_frame_SOURCES = tests/unit/check_ipc_frame.c
tests_unit_check_ipc_frame_CFLAGS = $(IPC_CHECK_CFLAGS)
tests_unit_check_ipc_frame_LDADD = $(IPC_CHECK_LDADD)
tests_unit_check_ipc_schema_SOURCES = tests/unit/check_ipc_schema.c
nodist_tests_unit_check_ipc_schema_SOURCES = tests/unit/test_schemas.c
tests_unit_check_ipc_schema_CFLAGS = $(IPC_CHECK_CFLAGS)
tests_unit_check_ipc_schema_LDADD = $(IPC_CHECK_LDADD)

# Every schema property is read or written by some code.
check_PROGRAMS += tests/integration/schema-props
tests_integration_schema_props_SOURCES = tests/integration/schema-props.c
tests_integration_schema_props_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_integration_schema_props_LDADD = $(JANSSON_LIBS)
dist_check_SCRIPTS += tests/integration/schema-fields.sh
TESTS += tests/integration/schema-fields.sh
