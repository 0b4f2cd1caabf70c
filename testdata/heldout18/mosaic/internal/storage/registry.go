package storage

import (
	"fmt"
	"sync"
)

// Factory opens a driver with its string options.
type Factory func(opts map[string]string) (Store, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Factory{}
)

// Register makes a driver available by name. It is meant to be called from
// the init function of the driver's package.
func Register(name string, f Factory) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if f == nil {
		panic("storage: Register factory is nil")
	}
	if _, dup := drivers[name]; dup {
		panic("storage: Register called twice for driver " + name)
	}
	drivers[name] = f
}

// Open opens the named driver.
func Open(name string, opts map[string]string) (Store, error) {
	driversMu.RLock()
	f, ok := drivers[name]
	driversMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("storage: unknown driver %q", name)
	}
	st, err := f(opts)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", name, err)
	}
	return st, nil
}
