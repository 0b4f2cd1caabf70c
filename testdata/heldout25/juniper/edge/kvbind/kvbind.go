//go:build js && wasm

// Package kvbind adapts the Workers KV binding to store.Raw. The binding is
// looked up once by Init; everything else in the Worker goes through the
// package-level functions or the Raw value returned by Store.
package kvbind

import (
	"context"
	"errors"
	"fmt"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/juniper/internal/store"
)

// null is what the binding's text getter yields for a missing key.
const null = "<null>"

var ns *kv.Namespace

// Init binds the package to the named KV namespace.
func Init(binding string) error {
	n, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return fmt.Errorf("kvbind: %w", err)
	}
	ns = n
	return nil
}

// Namespace exposes the binding for code that needs the SDK directly.
func Namespace() *kv.Namespace { return ns }

// IsMissing reports whether a GetString result stands for a missing key.
func IsMissing(v string) bool { return v == null }

// Text returns the stored text of key as the binding returns it.
func Text(key string) (string, error) {
	return ns.GetString(key, nil)
}

// Lookup returns the text of key and whether it exists. cacheTTL is in
// seconds; zero keeps the runtime default.
func Lookup(key string, cacheTTL int) (string, bool, error) {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: max(cacheTTL, 30)}
	}
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// Save writes a text value with a relative TTL in seconds.
func Save(key, value string, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds > 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	return ns.PutString(key, value, opts)
}

type binding struct{}

var _ store.Raw = binding{}

// Store returns the binding as a store.Raw.
func Store() store.Raw { return binding{} }

var errUnbound = errors.New("kvbind: Init not called")

func (binding) Get(_ context.Context, key string) ([]byte, bool, error) {
	if ns == nil {
		return nil, false, errUnbound
	}
	v, ok, err := Lookup(key, 0)
	if err != nil || !ok {
		return nil, false, err
	}
	return []byte(v), true, nil
}

func (binding) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	if ns == nil {
		return errUnbound
	}
	o := store.Apply(opts)
	return ns.PutString(key, string(value), &kv.PutOptions{
		ExpirationTTL: o.Seconds(),
		Expiration:    int(o.Unix()),
	})
}

func (binding) Delete(_ context.Context, key string) error {
	if ns == nil {
		return errUnbound
	}
	return ns.Delete(key)
}

func (binding) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	if ns == nil {
		return store.Page{}, errUnbound
	}
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return store.Page{}, err
	}
	p := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, store.Key{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return p, nil
}
