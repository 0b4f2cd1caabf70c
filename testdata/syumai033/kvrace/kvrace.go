// Package kvrace holds kvrace's cases on github.com/syumai/workers.
package kvrace

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

// Append to a JSON list kept under one key. (A cart would be kvsession's:
// per-user state.)
func addToWishlist(ns *kv.Namespace, user, item string) error {
	key := "wishlist:" + user
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var items []string
	if raw != "" && raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			return err
		}
	}
	items = append(items, item)
	data, _ := json.Marshal(items)
	return ns.PutString(key, string(data), nil) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 21`
}

// Concatenation onto the old value.
func appendLog(ns *kv.Namespace, entry string) error {
	old, _ := ns.GetString("audit-log", nil)
	return ns.PutString("audit-log", old+"\n"+entry, nil) // want `read-modify-write on one KV key`
}

var errMissing = errors.New("missing")

func loadProfile(id string) (string, error) { return "{}", nil }

// Quiet: a read-through cache. The miss is filled from the origin.
func profile(ns *kv.Namespace, id string) (string, error) {
	key := "profile:" + id
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		return v, nil
	}
	fresh, err := loadProfile(id)
	if err != nil {
		return "", err
	}
	return fresh, ns.PutString(key, fresh, &kv.PutOptions{ExpirationTTL: 300})
}

type settings struct{ Theme string }

// Quiet: read-through with one variable for the cached and the fresh
// value; the decode happens only on the path that returns.
func userSettings(ns *kv.Namespace, id string) (settings, error) {
	var s settings
	raw, _ := ns.GetString("settings:"+id, nil)
	if raw != "" && raw != "<null>" {
		err := json.Unmarshal([]byte(raw), &s)
		return s, err
	}
	s = settings{Theme: "light"}
	data, _ := json.Marshal(s)
	return s, ns.PutString("settings:"+id, string(data), nil)
}

// Quiet: the value written does not depend on what was read.
func lastSeen(ns *kv.Namespace, user string) error {
	if _, err := ns.GetString("seen:"+user, nil); err != nil {
		return err
	}
	return ns.PutString("seen:"+user, time.Now().Format(time.RFC3339), nil)
}

// Quiet: written back unchanged, to extend its life.
func refresh(ns *kv.Namespace, key string) error {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 3600})
}

// Quiet: derived, but written to another key.
func snapshot(ns *kv.Namespace, id string) error {
	v, _ := ns.GetString("doc:"+id, nil)
	return ns.PutString("doc-backup:"+id, v+"\n", nil)
}

// Quiet: the same key in another namespace.
func mirror(id string) error {
	primary, _ := kv.NewNamespace("PRIMARY")
	replica, _ := kv.NewNamespace("REPLICA")
	v, _ := primary.GetString("doc:"+id, nil)
	return replica.PutString("doc:"+id, v+"!", nil)
}

// In a goroutine and a deferred call: the closures capture the key and value.
func background(ns *kv.Namespace, key string) {
	v, _ := ns.GetString(key, nil)
	go func() {
		ns.PutString(key, v+",seen", nil) // want `read-modify-write on one KV key`
	}()
}

func deferred(ns *kv.Namespace, key string) {
	v, _ := ns.GetString(key, nil)
	updated := strconv.Quote(v)
	defer ns.PutString(key, updated, nil) // want `read-modify-write on one KV key`
}

// Local helpers that wrap the SDK.
func load(ns *kv.Namespace, key string) string {
	v, _ := ns.GetString(key, nil)
	return v
}

func save(ns *kv.Namespace, key, v string) error {
	return ns.PutString(key, v, nil)
}

func throughHelpers(ns *kv.Namespace, user string) error {
	names := load(ns, "names:"+user)
	return save(ns, "names:"+user, names+",new") // want `read-modify-write on one KV key`
}

// Wrappers in another package.
func throughPackage(s *kvstore.Store, user string) error {
	v, err := s.Get("badges:" + user)
	if err != nil {
		return err
	}
	return s.Set("badges:"+user, v+",gold", time.Hour) // want `read-modify-write on one KV key`
}

type profileDoc struct{ Avatar string }

// Decoded by a wrapper into a variable, changed, and written back.
func setAvatar(s *kvstore.Store, user, url string) error {
	var p profileDoc
	if err := s.GetJSON("profile:"+user, &p); err != nil {
		return err
	}
	p.Avatar = url
	return s.PutJSON("profile:"+user, p) // want `read-modify-write on one KV key`
}

// Quiet: the variable is filled from elsewhere, not from the get.
func resetAvatar(s *kvstore.Store, user string) error {
	var p profileDoc
	if err := s.GetJSON("profile:"+user, &p); err == nil && p.Avatar == "" {
		return nil
	}
	fresh := profileDoc{Avatar: "default.png"}
	return s.PutJSON("profile:"+user, fresh)
}

// In a goroutine given the old value as an argument.
func tagLater(ns *kv.Namespace, key, tag string) {
	old, _ := ns.GetString(key, nil)
	go func(existing string) {
		ns.PutString(key, existing+","+tag, nil) // want `read-modify-write on one KV key`
	}(old)
}

// Quiet: a read-through cache decoding into the same variable that the
// miss then overwrites.
func cachedView(s *kvstore.Store, id string) (map[string]string, error) {
	var view map[string]string
	if err := s.GetJSON("view:"+id, &view); err == nil {
		return view, nil
	}
	view = map[string]string{"id": id}
	return view, s.PutJSON("view:"+id, view)
}

// Keys built by a helper each time: the same helper and arguments name the
// same key, unless the helper draws something new.
func tagKey(tag string) string { return "tag:" + tag }

func randomKey(prefix string) string { return prefix + strconv.Itoa(int(time.Now().UnixNano()%1000)) }

func untag(ns *kv.Namespace, tag, slug string) error {
	cur, err := ns.GetString(tagKey(tag), nil)
	if err != nil {
		return err
	}
	return ns.PutString(tagKey(tag), strings.ReplaceAll(cur, " "+slug, ""), nil) // want `read-modify-write on one KV key`
}

func retag(ns *kv.Namespace, from, to string) error {
	cur, err := ns.GetString(tagKey(from), nil)
	if err != nil {
		return err
	}
	return ns.PutString(tagKey(to), cur, nil)
}

func scratch(ns *kv.Namespace) error {
	cur, err := ns.GetString(randomKey("tmp:"), nil)
	if err != nil {
		return err
	}
	return ns.PutString(randomKey("tmp:"), cur+"x", nil)
}

// An encoder over a buffer fills it: the buffer carries what was read.
func bumpQuantity(ns *kv.Namespace, user, sku string) error {
	key := "stock-reserved:" + user
	raw, _ := ns.GetString(key, nil)
	cart := map[string]int{}
	_ = json.Unmarshal([]byte(raw), &cart)
	cart[sku] = 1
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(cart); err != nil {
		return err
	}
	return ns.PutReader(key, &buf, nil) // want `read-modify-write on one KV key`
}

func resetCart(ns *kv.Namespace, user string) error {
	key := "cart:" + user
	if raw, _ := ns.GetString(key, nil); raw == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(map[string]int{}); err != nil {
		return err
	}
	return ns.PutReader(key, &buf, nil)
}

// A read-modify-write through wrappers that build options for another.
func throughBuiltOptions(s *kvstore.Store, user string) error {
	v, err := s.Get("visits:" + user)
	if err != nil {
		return err
	}
	return s.SetWith("visits:"+user, v+"|"+time.Now().Format(time.DateOnly), time.Hour) // want `read-modify-write on one KV key`
}

// A key helper without arguments names one key; one that makes an ID
// names a new one each time.
func flagsKey() string { return "flags:all" }

func requestID() string { return "req:" + strconv.FormatInt(time.Now().UnixNano(), 36) }

func toggle(ns *kv.Namespace, name string) error {
	doc, err := ns.GetString(flagsKey(), nil)
	if err != nil {
		return err
	}
	return ns.PutString(flagsKey(), doc+","+name, nil) // want `read-modify-write on one KV key`
}

func logLine(ns *kv.Namespace, line string) error {
	prev, err := ns.GetString(requestID(), nil)
	if err != nil {
		return err
	}
	return ns.PutString(requestID(), prev+line, nil)
}
