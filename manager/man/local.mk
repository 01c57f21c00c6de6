# manager/man/: the man pages (filled in below).
