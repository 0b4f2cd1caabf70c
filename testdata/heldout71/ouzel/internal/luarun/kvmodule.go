package luarun

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

// loader is the package.preload entry for require("kv").
func (r *Runner) loader(L *lua.LState) int {
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"get":         r.luaGet,
		"set":         r.luaSet,
		"setnx":       r.luaSetNX,
		"incr":        r.luaIncr,
		"del":         r.luaDel,
		"keys":        r.luaKeys,
		"scan":        r.luaScan,
		"values":      r.luaValues,
		"hold":        r.luaHold,
		"push_recent": r.luaPushRecent,
	})
	L.Push(mod)
	return 1
}

func raise(L *lua.LState, err error) int {
	L.RaiseError("kv: %v", err)
	return 0
}

// kv.get(key) -> string | nil
func (r *Runner) luaGet(L *lua.LState) int {
	v, err := r.kv.Get(L.Context(), L.CheckString(1))
	if errors.Is(err, kvstore.ErrNotFound) {
		L.Push(lua.LNil)
		return 1
	}
	if err != nil {
		return raise(L, err)
	}
	L.Push(lua.LString(v))
	return 1
}

// kv.set(key, value [, ttl_seconds])
func (r *Runner) luaSet(L *lua.LState) int {
	key := L.CheckString(1)
	val := L.CheckString(2)
	ttl := L.OptInt(3, 30) // EXPECT kvttl
	if err := r.kv.Put(L.Context(), key, []byte(val), time.Duration(ttl)*time.Second); err != nil {
		return raise(L, err)
	}
	return 0
}

// kv.setnx(key, value, ttl_seconds) -> bool
func (r *Runner) luaSetNX(L *lua.LState) int {
	key, val := L.CheckString(1), L.CheckString(2)
	ttl := time.Duration(L.CheckInt(3)) * time.Second
	if _, err := r.kv.Get(L.Context(), key); err == nil {
		L.Push(lua.LFalse)
		return 1
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return raise(L, err)
	}
	if err := r.kv.Put(L.Context(), key, []byte(val), ttl); err != nil { // EXPECT kvrace
		return raise(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// kv.incr(key [, delta]) -> number
func (r *Runner) luaIncr(L *lua.LState) int {
	n, err := r.kv.IncrBy(L.Context(), L.CheckString(1), int64(L.OptInt(2, 1)), 0)
	if err != nil {
		return raise(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

// kv.del(key)
func (r *Runner) luaDel(L *lua.LState) int {
	if err := r.kv.Delete(L.Context(), L.CheckString(1)); err != nil {
		return raise(L, err)
	}
	return 0
}

// kv.keys(prefix) -> {name, ...}
func (r *Runner) luaKeys(L *lua.LState) int {
	names, err := r.kv.AllKeys(L.Context(), L.CheckString(1))
	if err != nil {
		return raise(L, err)
	}
	L.Push(toLua(L, names))
	return 1
}

// kv.scan(prefix, cursor [, count]) -> {name, ...}, next_cursor
func (r *Runner) luaScan(L *lua.LState) int {
	prefix, cursor := L.CheckString(1), L.OptString(2, "")
	count := min(max(L.OptInt(3, 100), 10), 1000)
	page, next, err := r.kv.Page(L.Context(), prefix, cursor, count)
	if err != nil {
		return raise(L, err)
	}
	t := L.CreateTable(len(page), 0)
	for _, k := range page {
		t.Append(lua.LString(k.Name))
	}
	L.Push(t)
	L.Push(lua.LString(next))
	return 2
}

// kv.values(prefix [, count]) -> {name = value, ...}, next_cursor
func (r *Runner) luaValues(L *lua.LState) int {
	prefix := L.CheckString(1)
	count := min(max(L.OptInt(2, 50), 10), 1000)
	page, next, err := r.kv.Page(L.Context(), prefix, L.OptString(3, ""), count)
	if err != nil {
		return raise(L, err)
	}
	t := L.CreateTable(0, len(page))
	for _, k := range page {
		v, err := r.kv.Get(L.Context(), k.Name) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return raise(L, err)
		}
		t.RawSetString(strings.TrimPrefix(k.Name, prefix), lua.LString(v))
	}
	L.Push(t)
	L.Push(lua.LString(next))
	return 2
}

// kv.hold(sku, order_id, qty, deadline_unix) places an inventory hold that
// disappears on its own if checkout never completes.
func (r *Runner) luaHold(L *lua.LState) int {
	sku, order := L.CheckString(1), L.CheckString(2)
	qty := L.CheckInt(3)
	deadline := time.Unix(L.CheckInt64(4), 0)
	ttl := time.Until(deadline)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	body, _ := json.Marshal(map[string]any{"order": order, "qty": qty, "until": deadline.Unix()})
	meta := map[string]any{"qty": qty, "order": order}
	if err := r.kv.PutMeta(L.Context(), "hold:"+sku+":"+order, body, ttl, meta); err != nil {
		return raise(L, err)
	}
	return 0
}

// kv.push_recent(key, item [, max]) keeps a most-recent-first list.
func (r *Runner) luaPushRecent(L *lua.LState) int {
	key, item := L.CheckString(1), L.CheckString(2)
	limit := L.OptInt(3, 20)
	var list []string
	raw, err := r.kv.Get(L.Context(), key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return raise(L, err)
	default:
		if err := json.Unmarshal(raw, &list); err != nil {
			return raise(L, err)
		}
	}
	list = slices.DeleteFunc(list, func(s string) bool { return s == item })
	list = append([]string{item}, list...)
	if len(list) > limit {
		list = list[:limit]
	}
	out, _ := json.Marshal(list)
	if err := r.kv.Put(L.Context(), key, out, 30*24*time.Hour); err != nil { // EXPECT kvrace
		return raise(L, err)
	}
	return 0
}
