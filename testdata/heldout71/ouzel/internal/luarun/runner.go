// Package luarun runs the checkout team's Lua scripts. The scripts used to run
// inside Redis with EVALSHA; they now run in-process on gopher-lua and reach
// KV through the "kv" module.
package luarun

import (
	"context"
	"fmt"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

// Runner owns a pool of Lua states that share the kv module.
type Runner struct {
	kv   *kvstore.Store
	pool sync.Pool
}

// New returns a Runner whose scripts read and write store.
func New(store *kvstore.Store) *Runner {
	r := &Runner{kv: store}
	r.pool.New = func() any { return r.newState() }
	return r
}

func (r *Runner) newState() *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.PreloadModule("kv", r.loader)
	L.SetGlobal("now", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(time.Now().Unix()))
		return 1
	}))
	return L
}

func (r *Runner) get(ctx context.Context) *lua.LState {
	L := r.pool.Get().(*lua.LState)
	L.SetContext(ctx)
	return L
}

func (r *Runner) put(L *lua.LState) {
	L.RemoveContext()
	L.SetTop(0)
	L.SetGlobal("KEYS", lua.LNil)
	L.SetGlobal("ARGV", lua.LNil)
	r.pool.Put(L)
}

// Run executes the named script's main function with args converted to Lua
// values and returns its first result as a Go value.
func (r *Runner) Run(ctx context.Context, name string, args ...any) (any, error) {
	src, ok := scripts[name]
	if !ok {
		return nil, fmt.Errorf("luarun: no script %q", name)
	}
	L := r.get(ctx)
	defer r.put(L)

	if err := L.DoString(src); err != nil {
		return nil, fmt.Errorf("luarun: load %s: %w", name, err)
	}
	largs := make([]lua.LValue, len(args))
	for i, a := range args {
		largs[i] = toLua(L, a)
	}
	if err := L.CallByParam(lua.P{Fn: L.GetGlobal("main"), NRet: 1, Protect: true}, largs...); err != nil {
		return nil, fmt.Errorf("luarun: %s: %w", name, err)
	}
	ret := L.Get(-1)
	L.Pop(1)
	return fromLua(ret), nil
}

// Eval runs an ad-hoc script the way Redis EVAL does: KEYS and ARGV globals
// and the chunk's return value as the result.
func (r *Runner) Eval(ctx context.Context, src string, keys, argv []string) (any, error) {
	L := r.get(ctx)
	defer r.put(L)
	L.SetGlobal("KEYS", toLua(L, keys))
	L.SetGlobal("ARGV", toLua(L, argv))
	top := L.GetTop()
	if err := L.DoString(src); err != nil {
		return nil, err
	}
	if L.GetTop() == top {
		return nil, nil
	}
	return fromLua(L.Get(top + 1)), nil
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case string:
		return lua.LString(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	case []string:
		t := L.CreateTable(len(x), 0)
		for _, s := range x {
			t.Append(lua.LString(s))
		}
		return t
	case map[string]int:
		t := L.CreateTable(0, len(x))
		for k, n := range x {
			t.RawSetString(k, lua.LNumber(n))
		}
		return t
	}
	return lua.LString(fmt.Sprint(v))
}

func fromLua(v lua.LValue) any {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return int64(x)
	case lua.LBool:
		return bool(x)
	case *lua.LTable:
		if x.Len() > 0 {
			out := make([]any, 0, x.Len())
			x.ForEach(func(_, val lua.LValue) { out = append(out, fromLua(val)) })
			return out
		}
		out := map[string]any{}
		x.ForEach(func(k, val lua.LValue) { out[k.String()] = fromLua(val) })
		return out
	}
	return nil
}
