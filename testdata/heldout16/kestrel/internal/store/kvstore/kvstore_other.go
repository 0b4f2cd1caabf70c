//go:build !(js && wasm)

package kvstore

import (
	"example.com/kestrel/internal/store"
	"example.com/kestrel/internal/store/memstore"
)

// Open returns a process-local store outside the Workers runtime, so native
// builds (local tools, tests of wiring) share the same API.
func Open(binding string) (store.Store, error) {
	_ = binding
	return memstore.New(), nil
}
