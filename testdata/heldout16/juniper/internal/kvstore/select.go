package kvstore

import (
	"fmt"

	"example.com/juniper/internal/cfapi"
)

// Open picks a Store implementation by name, as configured by
// JUNIPER_STORE_BACKEND.
func Open(backend string, ns cfapi.Namespace) (Store, error) {
	factories := map[string]func() Store{
		"cloudflare": func() Store { return NewCloudflare(ns) },
		"memory":     func() Store { return NewMemory() },
	}
	f, ok := factories[backend]
	if !ok {
		return nil, fmt.Errorf("kvstore: unknown backend %q", backend)
	}
	return f(), nil
}
