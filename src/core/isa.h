/* isa.h -- internal view of the ISA choice (the public one is in swiglu.h). */
#ifndef SW_CORE_ISA_H
#define SW_CORE_ISA_H
#include "swiglu.h"
swiglu_isa sw_isa_detect_best(void);
#endif
