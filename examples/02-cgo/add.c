#include "add.h"

// A C function for Go to call: its presence forces a real C cross-compiler into the build.
int crosscheck_add(int a, int b) {
	return a + b;
}
