/* sys.h - private: small system helpers the trainers share. */
#ifndef ACRL_SYS_H
#define ACRL_SYS_H

/* Seconds on the monotonic clock (for wall-time intervals). */
double acrl_now_s(void);
/* mkdir -p: creates path and its missing parents (mode 0777 before the umask); 0, or -1 with
 * errno set (ENAMETOOLONG beyond 1023 bytes). */
int acrl_mkdir_p(const char* path);

#endif
