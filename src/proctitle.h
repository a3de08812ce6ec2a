/*
 * proctitle - what `ps` shows for each process ("preforkd: master").
 *
 * proctitle_init() must run first thing in main(): it moves argv and the
 * environment to the heap (updating argv[] and environ), so that the
 * original contiguous area can hold the title.  After it, argv strings
 * stay valid for the life of the process.
 */
#ifndef PREFORKD_PROCTITLE_H
#define PREFORKD_PROCTITLE_H

void proctitle_init(int argc, char **argv);
/* comm: the short name (at most 15 bytes), or NULL to keep it. */
void proctitle_set(const char *title, const char *comm);

#endif
