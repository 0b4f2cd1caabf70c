// Package jshost runs JavaScript functions on goja. Each invocation gets a
// fresh runtime with a `kv` global whose methods are served by the host
// against the tenant's slice of the data namespace.
package jshost

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// ErrScriptTimeout is the cause recorded when a script runs past its budget.
var ErrScriptTimeout = errors.New("jshost: script exceeded its time budget")

const (
	defaultScratchTTL = 45
	maxScriptListKeys = 5000
	maxValueBytes     = 1 << 20
)

// Invocation is one call of a script function.
type Invocation struct {
	ID       string
	Tenant   string
	Function string
	Digest   string
	Source   string
	Request  map[string]any
}

// Host runs scripts.
type Host struct {
	data   *kvstore.Store
	budget time.Duration
}

// New returns a host over the data namespace.
func New(data *kvstore.Store, budget time.Duration) *Host {
	return &Host{data: data, budget: budget}
}

// putOptions mirrors the Workers KV put options a script may pass.
type putOptions struct {
	TTL      int64
	Metadata map[string]any
}

func parsePutOptions(v goja.Value) putOptions {
	opts := putOptions{TTL: defaultScratchTTL} // EXPECT kvttl
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return opts
	}
	m, ok := v.Export().(map[string]any)
	if !ok {
		return opts
	}
	switch ttl := m["expirationTtl"].(type) {
	case int64:
		opts.TTL = ttl
	case float64:
		opts.TTL = int64(ttl)
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		opts.Metadata = md
	}
	return opts
}

// Run executes the script's handle(request) and returns its JSON result.
func (h *Host) Run(ctx context.Context, inv Invocation) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, h.budget, ErrScriptTimeout)
	defer cancel()

	vm := goja.New()
	vm.SetFieldNameMapper(goja.TagFieldNameMapper("json", true))
	stop := context.AfterFunc(ctx, func() { vm.Interrupt(context.Cause(ctx)) })
	defer stop()

	scope := "d:" + inv.Tenant + ":" + inv.Function + ":"
	throw := func(err error) { panic(vm.NewGoError(err)) }
	key := func(call goja.FunctionCall) string {
		k := call.Argument(0).String()
		if k == "" || len(k) > 256 {
			panic(vm.NewTypeError("kv: invalid key"))
		}
		return scope + k
	}

	err := vm.Set("kv", map[string]any{
		"get": func(call goja.FunctionCall) goja.Value {
			v, err := h.data.Get(ctx, key(call))
			if errors.Is(err, kvstore.ErrNotFound) {
				return goja.Null()
			}
			if err != nil {
				throw(err)
			}
			return vm.ToValue(string(v))
		},
		"put": func(call goja.FunctionCall) goja.Value {
			k := key(call)
			val := call.Argument(1).String()
			if len(val) > maxValueBytes {
				panic(vm.NewTypeError("kv: value too large"))
			}
			opts := parsePutOptions(call.Argument(2))
			ttl := time.Duration(opts.TTL) * time.Second
			var err error
			if opts.Metadata != nil {
				err = h.data.PutWithMetadata(ctx, k, []byte(val), ttl, opts.Metadata)
			} else {
				err = h.data.Put(ctx, k, []byte(val), ttl)
			}
			if err != nil {
				throw(err)
			}
			return goja.Undefined()
		},
		"append": func(call goja.FunctionCall) goja.Value {
			k := key(call)
			old, err := h.data.Get(ctx, k)
			if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
				throw(err)
			}
			next := string(old) + call.Argument(1).String()
			if err := h.data.Put(ctx, k, []byte(next), 0); err != nil { // EXPECT kvrace
				throw(err)
			}
			return vm.ToValue(len(next))
		},
		"list": func(call goja.FunctionCall) goja.Value {
			prefix := scope + call.Argument(0).String()
			cursor := ""
			if c := call.Argument(1); !goja.IsUndefined(c) && !goja.IsNull(c) {
				cursor = c.String()
			}
			page, err := h.data.List(ctx, prefix, cursor, int(min(max(call.Argument(2).ToInteger(), 10), 1000)))
			if err != nil {
				throw(err)
			}
			names := page.Names()
			for i := range names {
				names[i] = strings.TrimPrefix(names[i], scope)
			}
			return vm.ToValue(map[string]any{
				"keys":          names,
				"cursor":        page.Cursor,
				"list_complete": page.Done(),
			})
		},
		"keys": func(call goja.FunctionCall) goja.Value {
			prefix := scope + call.Argument(0).String()
			var names []string
			var page kvstore.Page
			var err error
			for len(names) < maxScriptListKeys {
				if page.Cursor == "" {
					page, err = h.data.List(ctx, prefix, "", 1000)
				} else {
					page, err = h.data.List(ctx, "", page.Cursor, 1000) // EXPECT kvlist
				}
				if err != nil {
					throw(err)
				}
				for _, n := range page.Names() {
					names = append(names, strings.TrimPrefix(n, scope))
				}
				if page.Done() {
					break
				}
			}
			return vm.ToValue(names)
		},
	})
	if err != nil {
		return nil, err
	}
	if _, err := vm.RunString(inv.Source); err != nil {
		return nil, scriptError(ctx, err)
	}
	handle, ok := goja.AssertFunction(vm.Get("handle"))
	if !ok {
		return nil, errors.New("jshost: script does not define handle(request)")
	}
	res, err := handle(goja.Undefined(), vm.ToValue(inv.Request))
	if err != nil {
		return nil, scriptError(ctx, err)
	}
	return json.Marshal(res.Export())
}

func scriptError(ctx context.Context, err error) error {
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
	}
	return err
}
