// Package bufpool keeps reusable byte buffers for encoders on hot paths.
package bufpool

import (
	"bytes"
	"sync"
)

// maxRetained keeps one very large export from pinning memory forever.
const maxRetained = 1 << 20

var pool = sync.Pool{
	New: func() any { return new(bytes.Buffer) },
}

// Get returns an empty buffer.
func Get() *bytes.Buffer {
	b := pool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// Put returns b to the pool. The caller must not use b afterwards.
func Put(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxRetained {
		return
	}
	pool.Put(b)
}
