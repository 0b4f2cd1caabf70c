// Package wasmhost runs WebAssembly functions on wazero. Guests reach tenant
// data through the "kv" host module: every key a guest names is scoped to its
// tenant and function before it reaches the data namespace.
package wasmhost

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// ErrTimeout is the cause recorded when a guest runs past its budget.
var ErrTimeout = errors.New("wasmhost: invocation exceeded its time budget")

// Status codes returned to guests in place of a length.
const (
	statusMissing    = 0xFFFF_FFFF
	statusFault      = 0xFFFF_FFFE
	statusStoreError = 0xFFFF_FFFD
	statusOK         = 0
)

const guestCacheTTL = 30 * time.Second

// Invocation is one call of a function.
type Invocation struct {
	ID       string
	Tenant   string
	Function string
	Version  int
	Digest   string
	Input    []byte
}

// CodeSource loads the artifact of a function version.
type CodeSource interface {
	Code(ctx context.Context, tenant, name string, n int) ([]byte, error)
}

// Host owns the wazero runtime shared by all invocations.
type Host struct {
	rt      wazero.Runtime
	data    *kvstore.Store
	code    CodeSource
	modules *moduleCache
	budget  time.Duration
}

type invocationKey struct{}

func invocationFrom(ctx context.Context) *Invocation {
	inv, _ := ctx.Value(invocationKey{}).(*Invocation)
	return inv
}

// scope turns a guest key into a data-namespace key.
func scope(ctx context.Context, key string) (string, bool) {
	inv := invocationFrom(ctx)
	if inv == nil || key == "" || len(key) > 256 {
		return "", false
	}
	return "d:" + inv.Tenant + ":" + inv.Function + ":" + key, true
}

func readBytes(m api.Module, ptr, n uint32) ([]byte, bool) {
	b, ok := m.Memory().Read(ptr, n)
	if !ok {
		return nil, false
	}
	return bytes.Clone(b), true
}

// New builds the runtime and the "kv" host module.
func New(ctx context.Context, data *kvstore.Store, code CodeSource, budget time.Duration) (*Host, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(true))
	h := &Host{rt: rt, data: data, code: code, modules: newModuleCache(), budget: budget}

	_, err := rt.NewHostModuleBuilder("kv").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, keyPtr, keyLen, outPtr, outCap uint32) uint32 {
			raw, ok := readBytes(m, keyPtr, keyLen)
			key, valid := scope(ctx, string(raw))
			if !ok || !valid {
				return statusFault
			}
			val, err := h.data.Get(ctx, key)
			if errors.Is(err, kvstore.ErrNotFound) {
				return statusMissing
			}
			if err != nil {
				return statusStoreError
			}
			if uint32(len(val)) <= outCap && !m.Memory().Write(outPtr, val) {
				return statusFault
			}
			return uint32(len(val))
		}).
		Export("get").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, keyPtr, keyLen, valPtr, valLen uint32, ttl uint32) uint32 {
			raw, ok1 := readBytes(m, keyPtr, keyLen)
			val, ok2 := readBytes(m, valPtr, valLen)
			key, valid := scope(ctx, string(raw))
			if !ok1 || !ok2 || !valid {
				return statusFault
			}
			if ttl != 0 && ttl < 60 {
				ttl = 60
			}
			if err := h.data.Put(ctx, key, val, time.Duration(ttl)*time.Second); err != nil {
				return statusStoreError
			}
			return statusOK
		}).
		Export("put").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, keyPtr, keyLen, valPtr, valLen uint32) uint32 {
			raw, ok1 := readBytes(m, keyPtr, keyLen)
			val, ok2 := readBytes(m, valPtr, valLen)
			key, valid := scope(ctx, "cache:"+string(raw))
			if !ok1 || !ok2 || !valid {
				return statusFault
			}
			err := h.data.Put(ctx, key, val,
				guestCacheTTL, // EXPECT kvttl
			)
			if err != nil {
				return statusStoreError
			}
			return statusOK
		}).
		Export("cache_put").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, keyPtr, keyLen uint32, delta int64) uint64 {
			raw, ok := readBytes(m, keyPtr, keyLen)
			key, valid := scope(ctx, string(raw))
			if !ok || !valid {
				return statusFault
			}
			cur, err := h.data.Get(ctx, key)
			if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
				return statusStoreError
			}
			n, err := kvstore.DecodeUint64(cur)
			if err != nil {
				return statusStoreError
			}
			n = uint64(int64(n) + delta)
			if err := h.data.Put(ctx, key, kvstore.EncodeUint64(n), 0); err != nil { // EXPECT kvcounter|kvrace
				return statusStoreError
			}
			return n
		}).
		Export("incr").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, bufPtr, bufLen uint32) uint32 {
			buf, ok := readBytes(m, bufPtr, bufLen)
			if !ok {
				return statusFault
			}
			return h.importRecords(ctx, buf)
		}).
		Export("import").
		Instantiate(ctx)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("kv host module: %w", err)
	}
	return h, nil
}

// importRecords loads a guest's seed data: a sequence of
// uvarint(len(key)) key uvarint(len(value)) value records.
func (h *Host) importRecords(ctx context.Context, buf []byte) uint32 {
	inv := invocationFrom(ctx)
	if inv == nil {
		return statusFault
	}
	progressKey := "import:" + inv.Tenant + ":" + inv.Function + ":progress"
	var n uint32
	for len(buf) > 0 {
		kl, w := binary.Uvarint(buf)
		if w <= 0 || uint64(len(buf)-w) < kl {
			return statusFault
		}
		rawKey := buf[w : w+int(kl)]
		buf = buf[w+int(kl):]
		vl, w := binary.Uvarint(buf)
		if w <= 0 || uint64(len(buf)-w) < vl {
			return statusFault
		}
		val := buf[w : w+int(vl)]
		buf = buf[w+int(vl):]

		key, valid := scope(ctx, string(rawKey))
		if !valid {
			return statusFault
		}
		if err := h.data.Put(ctx, key, val, 0); err != nil {
			return statusStoreError
		}
		n++
		if err := h.data.Put(ctx, progressKey, []byte(fmt.Sprint(n)), time.Hour); err != nil { // EXPECT kvhotkey
			return statusStoreError
		}
	}
	return n
}

// Invoke runs a published version.
func (h *Host) Invoke(ctx context.Context, inv Invocation) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, h.budget, ErrTimeout)
	defer cancel()
	cm, err := h.compiled(ctx, inv)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, invocationKey{}, &inv)
	mod, err := h.rt.InstantiateModule(ctx, cm.mod, guestConfig(inv))
	if err != nil {
		return nil, causeOr(ctx, err)
	}
	defer mod.Close(ctx)
	return h.call(ctx, mod, inv.Input)
}

// Preview runs code that has not been published, for the editor's "run"
// button. The module is compiled for this call only.
func (h *Host) Preview(ctx context.Context, inv Invocation, wasm []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, h.budget, ErrTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, invocationKey{}, &inv)
	mod, err := h.rt.InstantiateWithConfig(ctx, wasm, guestConfig(inv))
	if err != nil {
		return nil, causeOr(ctx, err)
	}
	defer mod.Close(ctx)
	return h.call(ctx, mod, inv.Input)
}

func guestConfig(inv Invocation) wazero.ModuleConfig {
	return wazero.NewModuleConfig().WithName("").WithStartFunctions().WithEnv("FROGMOUTH_INVOCATION", inv.ID)
}

func causeOr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// call copies input into the guest, runs handle and copies the output out.
// handle returns the output location packed as ptr<<32 | len.
func (h *Host) call(ctx context.Context, mod api.Module, input []byte) ([]byte, error) {
	alloc, handle := mod.ExportedFunction("alloc"), mod.ExportedFunction("handle")
	if alloc == nil || handle == nil {
		return nil, errors.New("wasmhost: guest must export alloc and handle")
	}
	res, err := alloc.Call(ctx, uint64(len(input)))
	if err != nil {
		return nil, causeOr(ctx, err)
	}
	ptr := uint32(res[0])
	if !mod.Memory().Write(ptr, input) {
		return nil, errors.New("wasmhost: input out of range")
	}
	res, err = handle.Call(ctx, uint64(ptr), uint64(len(input)))
	if err != nil {
		return nil, causeOr(ctx, err)
	}
	out, ok := mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
	if !ok {
		return nil, errors.New("wasmhost: output out of range")
	}
	return bytes.Clone(out), nil
}
