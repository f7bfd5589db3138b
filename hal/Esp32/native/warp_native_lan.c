/* Warp.Native: lan. Skeleton for the next issue (its functions are declared in warp_native.h). */
#include "warp_native.h"
