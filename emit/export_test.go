package emit

// LockDir lets tests hold a temporary directory's lock as a running emit
// does.
var LockDir = lockDir

// CanLock says whether this platform tells live temporary directories from
// stale ones.
const CanLock = canLock
