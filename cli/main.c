/* acrl command-line tool (placeholder until the CLI lands). */
#include <stdio.h>
#include "acrl.h"
int main(void) { printf("acrl %s\n", ACRL_VERSION_STRING); return 0; }
