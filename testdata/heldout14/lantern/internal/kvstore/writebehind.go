//go:build js && wasm

package kvstore

import (
	"errors"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// WriteBehind coalesces writes to the same key within one invocation: Put
// only records the latest value, and Close writes each key once.
type WriteBehind struct {
	ns      *kv.Namespace
	mu      sync.Mutex
	pending map[string]string
}

// NewWriteBehind buffers writes for ns.
func NewWriteBehind(ns *kv.Namespace) *WriteBehind {
	return &WriteBehind{ns: ns, pending: map[string]string{}}
}

// Put records value for key, replacing an earlier pending value.
func (w *WriteBehind) Put(key, value string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending[key] = value
}

// Close flushes the pending writes.
func (w *WriteBehind) Close() error {
	w.mu.Lock()
	pending := w.pending
	w.pending = map[string]string{}
	w.mu.Unlock()
	var errs []error
	for k, v := range pending {
		if err := w.ns.PutString(k, v, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
