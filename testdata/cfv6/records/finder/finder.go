// Package finder keeps licences as active records: a finder makes the
// record, sets its key field and loads it, and the record saves itself.
package finder

import (
	"context"
	"encoding/json"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Store struct {
	c  *cloudflare.Client
	ns string
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.c.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F("a")})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, v []byte) error {
	_, err := s.c.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("a"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	})
	return err
}

type License struct {
	ID       string
	Machines []string
	st       *Store
}

type Licenses struct{ St *Store }

// Find makes the record, then loads it with its own method.
func (r *Licenses) Find(ctx context.Context, id string) (*License, error) {
	l := &License{ID: id, st: r.St}
	if err := l.Reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Load makes the record and reads it itself.
func (r *Licenses) Load(ctx context.Context, id string) (*License, error) {
	l := &License{ID: id, st: r.St}
	raw, err := l.st.Get(ctx, "lic:"+l.ID)
	if err != nil {
		return nil, err
	}
	return l, json.Unmarshal(raw, l)
}

func (l *License) Reload(ctx context.Context) error {
	raw, err := l.st.Get(ctx, "lic:"+l.ID)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, l)
}

func (l *License) Save(ctx context.Context) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return l.st.Put(ctx, "lic:"+l.ID, b)
}

func Activate(ctx context.Context, r *Licenses, id, machine string) error {
	lic, err := r.Find(ctx, id)
	if err != nil {
		return err
	}
	lic.Machines = append(lic.Machines, machine)
	return lic.Save(ctx) // want `read-modify-write on one KV key`
}

func Deactivate(ctx context.Context, r *Licenses, id string) error {
	lic, err := r.Load(ctx, id)
	if err != nil {
		return err
	}
	lic.Machines = nil
	return lic.Save(ctx) // want `read-modify-write on one KV key`
}

// Quiet: a new record, saved under the ID it was given, read nowhere.
func Issue(ctx context.Context, r *Licenses, id string) error {
	lic := &License{ID: id, st: r.St}
	return lic.Save(ctx)
}

// Quiet: the record read is another licence's.
func Transfer(ctx context.Context, r *Licenses, from, to string) error {
	src, err := r.Find(ctx, from)
	if err != nil {
		return err
	}
	dst := &License{ID: to, Machines: src.Machines, st: r.St}
	return dst.Save(ctx)
}
