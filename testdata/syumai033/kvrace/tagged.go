package kvrace

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvkey"
)

// A key read off a struct tag by reflection: keyOf takes any value, but
// it is named for the key it builds, so keyOf(l) is one key for the get
// and the put.
type lobby struct {
	Code  string `kv:"lobby/{Code}"`
	State string
}

func keyOf(v any) string {
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if tag := f.Tag.Get("kv"); tag != "" {
			return strings.Replace(tag, "{"+f.Name+"}", rv.Field(i).String(), 1)
		}
	}
	return ""
}

func advance(ns *kv.Namespace, code, next string) error {
	l := &lobby{Code: code}
	raw, err := ns.GetString(keyOf(l), nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), l); err != nil {
		return err
	}
	l.State = next
	b, _ := json.Marshal(l)
	return ns.PutString(keyOf(l), string(b), nil) // want `read-modify-write`
}

// The binding is opened once, on first use, and each lobbies() hands out
// the same one; kvkey.Of is named for a key by its package.
var lobbies = sync.OnceValue(func() *kv.Namespace {
	ns, err := kv.NewNamespace("LOBBIES")
	if err != nil {
		panic(err)
	}
	return ns
})

type roster struct {
	Lobby   string `kv:"roster/{Lobby}"`
	Players []string
}

func join(lobby, player string) error {
	r := &roster{Lobby: lobby}
	raw, err := lobbies().GetString(kvkey.Of(r), nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), r); err != nil {
		return err
	}
	r.Players = append(r.Players, player)
	b, _ := json.Marshal(r)
	return lobbies().PutString(kvkey.Of(r), string(b), nil) // want `read-modify-write`
}
