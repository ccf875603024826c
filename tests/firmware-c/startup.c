/* Minimal Cortex-M4F startup for the C firmware check: vector table, .data copy, .bss zeroing,
 * FPU enable (the library is built for the hard-float ABI, thumbv7em-none-eabihf), then main.
 * Output and exit go through newlib's semihosting layer (librdimon). */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t _data_start, _data_end, _data_load, _bss_start, _bss_end, _stack_top;
extern int main(void);
extern void initialise_monitor_handles(void);

void reset_handler(void);
void fault_handler(void);

/* Only the first entries matter here: initial stack pointer, reset, NMI, HardFault. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&_stack_top), reset_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0,
    fault_handler, fault_handler};

void reset_handler(void) {
    uint32_t *s = &_data_load, *d = &_data_start;
    /* CPACR: full access to coprocessors 10 and 11 (the FPU) before any floating-point code. */
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    while (d < &_data_end) {
        *d++ = *s++;
    }
    for (d = &_bss_start; d < &_bss_end; d++) {
        *d = 0;
    }
    initialise_monitor_handles();
    exit(main());
}

void fault_handler(void) {
    exit(3);
}
