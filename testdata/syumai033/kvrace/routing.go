package kvrace

import (
	"context"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// A region's store, handed out by a router for each call.
type regionStore struct{ ns *kv.Namespace }

func (s *regionStore) Get(key string) (string, error) { return s.ns.GetString(key, nil) }
func (s *regionStore) Put(key, value string) error    { return s.ns.PutString(key, value, nil) }

type regionRouter struct{ byRegion map[string]*regionStore }

// For returns the store of region.
func (r *regionRouter) For(ctx context.Context, region string) (*regionStore, error) {
	st, ok := r.byRegion[region]
	if !ok {
		return nil, errors.New("no such region")
	}
	return st, nil
}

func (r *regionRouter) load(ctx context.Context, region, id string) (string, error) {
	st, err := r.For(ctx, region)
	if err != nil {
		return "", err
	}
	return st.Get("profile:" + id)
}

// The profile is read through one call of the router and written back
// through another, for the same region: one namespace.
func renameProfile(ctx context.Context, r *regionRouter, region, id, name string) error {
	old, err := r.load(ctx, region, id)
	if err != nil {
		return err
	}
	st, err := r.For(ctx, region)
	if err != nil {
		return err
	}
	return st.Put("profile:"+id, old+"|"+name) // want `read-modify-write on one KV key`
}

// Quiet: copied from one region to another.
func moveProfile(ctx context.Context, r *regionRouter, from, to, id string) error {
	v, err := r.load(ctx, from, id)
	if err != nil {
		return err
	}
	st, err := r.For(ctx, to)
	if err != nil {
		return err
	}
	return st.Put("profile:"+id, v)
}
