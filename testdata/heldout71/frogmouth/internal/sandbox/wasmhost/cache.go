package wasmhost

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"weak"

	"github.com/tetratelabs/wazero"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// compiledModule is a compiled guest. While any invocation holds one, the
// cache hands out the same value; once none do, the garbage collector may
// reclaim it and the cleanup closes the wazero module.
type compiledModule struct {
	mod    wazero.CompiledModule
	digest string
}

type moduleCache struct {
	mu sync.Mutex
	m  map[string]weak.Pointer[compiledModule]
}

func newModuleCache() *moduleCache {
	return &moduleCache{m: make(map[string]weak.Pointer[compiledModule])}
}

func (c *moduleCache) lookup(digest string) *compiledModule {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wp, ok := c.m[digest]; ok {
		return wp.Value()
	}
	return nil
}

type cleanupArg struct {
	cache  *moduleCache
	mod    wazero.CompiledModule
	digest string
}

func (c *moduleCache) add(cm *compiledModule) {
	c.mu.Lock()
	c.m[cm.digest] = weak.Make(cm)
	c.mu.Unlock()
	runtime.AddCleanup(cm, func(a cleanupArg) {
		a.cache.mu.Lock()
		if wp, ok := a.cache.m[a.digest]; ok && wp.Value() == nil {
			delete(a.cache.m, a.digest)
		}
		a.cache.mu.Unlock()
		_ = a.mod.Close(context.Background())
	}, cleanupArg{cache: c, mod: cm.mod, digest: cm.digest})
}

// compiled returns the compiled module of inv's version, loading the code
// from the functions namespace on a miss.
func (h *Host) compiled(ctx context.Context, inv Invocation) (*compiledModule, error) {
	digest := inv.Digest
	if digest == "" {
		digest = inv.Tenant + "/" + inv.Function + "/" + strconv.Itoa(inv.Version)
	}
	if cm := h.modules.lookup(digest); cm != nil {
		return cm, nil
	}
	code, err := h.code.Code(ctx, inv.Tenant, inv.Function, inv.Version)
	if err != nil {
		return nil, err
	}
	if f, err := kvstore.Decode(code); err == nil && f.Kind == kvstore.KindModule {
		code = f.Payload
	}
	mod, err := h.rt.CompileModule(ctx, code)
	if err != nil {
		return nil, err
	}
	cm := &compiledModule{mod: mod, digest: digest}
	h.modules.add(cm)
	return cm, nil
}
