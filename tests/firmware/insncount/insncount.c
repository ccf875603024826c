/*
 * Guest instruction counter for qemu-system-arm 7.2 (TCG plugin API version 1), used by
 * `scripts/qemu-check.sh --bench` for deterministic cost figures of the firmware.
 *
 * Every translated block gets an inline "add n_insns to the counter" op, so the count is exact
 * and identical between runs. At exit the total is written to QEMU's log ("insns: N", stderr
 * with `-d plugin`).
 *
 * The few API entry points used are declared here, so no QEMU headers are needed:
 *   gcc -shared -fPIC -O2 -o libinsncount.so insncount.c -Wl,--unresolved-symbols=ignore-all
 *   qemu-system-arm ... -plugin ./libinsncount.so -d plugin
 * Later QEMU versions (plugin API 2+) changed these calls; this file is tied to 7.2.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t plugin_id;
struct qemu_plugin_tb;
enum inline_op { INLINE_ADD_U64 = 0 };

extern void qemu_plugin_register_vcpu_tb_trans_cb(
    plugin_id id, void (*cb)(plugin_id, struct qemu_plugin_tb *));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(
    struct qemu_plugin_tb *tb, enum inline_op op, void *ptr, uint64_t imm);
extern void qemu_plugin_register_atexit_cb(plugin_id id, void (*cb)(plugin_id, void *),
                                           void *userdata);
extern void qemu_plugin_outs(const char *text);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t executed;

static void translated(plugin_id id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, INLINE_ADD_U64, &executed,
                                             (uint64_t)qemu_plugin_tb_n_insns(tb));
}

static void finished(plugin_id id, void *userdata)
{
    char line[48];
    (void)id;
    (void)userdata;
    snprintf(line, sizeof line, "insns: %llu\n", (unsigned long long)executed);
    qemu_plugin_outs(line);
}

__attribute__((visibility("default"))) int qemu_plugin_install(plugin_id id, const void *info,
                                                               int argc, char **argv)
{
    (void)info;
    (void)argc;
    (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, finished, NULL);
    return 0;
}
