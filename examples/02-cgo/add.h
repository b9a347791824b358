#ifndef CROSSCHECK_ADD_H
#define CROSSCHECK_ADD_H

int crosscheck_add(int a, int b);

#endif
