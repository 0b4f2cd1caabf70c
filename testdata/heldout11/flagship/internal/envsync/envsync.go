// Package envsync compares environments and promotes flag definitions from
// one environment's edge namespace to another's (staging -> production).
package envsync

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/kvkey"
)

// Errors.
var (
	ErrLocked     = errors.New("envsync: another promotion is running")
	ErrNoManifest = errors.New("envsync: environment has no manifest")
	ErrSameEnv    = errors.New("envsync: source and target are the same")
)

// Namespace gives bulk reads of one namespace (storage/cfkv.Adapter).
type Namespace = flags.BulkGetter

// Syncer promotes and diffs environments.
type Syncer struct {
	API     *cfv0.API
	Account string
	Resolve func(env string) (string, error) // environment -> namespace ID
	Open    func(ns string) Namespace
	LockTTL time.Duration
}

func (s *Syncer) rc() *cfv0.ResourceContainer { return cfv0.AccountIdentifier(s.Account) }

func (s *Syncer) namespaces(from, to string) (string, string, error) {
	if from == to {
		return "", "", ErrSameEnv
	}
	src, err := s.Resolve(from)
	if err != nil {
		return "", "", err
	}
	dst, err := s.Resolve(to)
	return src, dst, err
}

// Diff lists flags that exist in only one of two environments.
type Diff struct {
	OnlyIn map[string][]string `json:"only_in"`
}

func (s *Syncer) names(ctx context.Context, ns, env string) ([]string, error) {
	res, err := s.API.ListWorkersKVKeys(ctx, s.rc(), cfv0.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: ns, Prefix: kvkey.Flags.Child(env).Prefix(),
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res.Result))
	for i, k := range res.Result {
		out[i] = kvkey.Key(k.Name).Base()
	}
	return out, nil
}

// Compare diffs the flag keys of two environments.
func (s *Syncer) Compare(ctx context.Context, from, to string) (Diff, error) {
	src, dst, err := s.namespaces(from, to)
	if err != nil {
		return Diff{}, err
	}
	a, err := s.names(ctx, src, from)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.names(ctx, dst, to)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{OnlyIn: map[string][]string{}}
	for _, n := range a {
		if !slices.Contains(b, n) {
			d.OnlyIn[from] = append(d.OnlyIn[from], n)
		}
	}
	for _, n := range b {
		if !slices.Contains(a, n) {
			d.OnlyIn[to] = append(d.OnlyIn[to], n)
		}
	}
	return d, nil
}

// Changed returns the flags in from's manifest whose definitions differ in to.
func (s *Syncer) Changed(ctx context.Context, from, to string) ([]string, error) {
	src, dst, err := s.namespaces(from, to)
	if err != nil {
		return nil, err
	}
	m, err := s.readManifest(ctx, src, from)
	if err != nil {
		return nil, err
	}
	_, err = s.API.GetWorkersKV(ctx, s.rc(), cfv0.GetWorkersKVParams{NamespaceID: dst, Key: kvkey.EnvManifest(to).String()})
	if err != nil {
		var nf cfv0.NotFoundError
		if !errors.As(err, &nf) { // EXPECT kvnull
			return nil, err
		}
		return m.Flags, nil // a new environment: everything differs
	}
	keysA, keysB := make([]string, len(m.Flags)), make([]string, len(m.Flags))
	for i, f := range m.Flags {
		keysA[i], keysB[i] = kvkey.Flag(from, f).String(), kvkey.Flag(to, f).String()
	}
	va, err := s.Open(src).GetMany(ctx, keysA)
	if err != nil {
		return nil, err
	}
	vb, err := s.Open(dst).GetMany(ctx, keysB)
	if err != nil {
		return nil, err
	}
	var changed []string
	for i, f := range m.Flags {
		if va[keysA[i]] != vb[keysB[i]] {
			changed = append(changed, f)
		}
	}
	return changed, nil
}

// Probe reports whether an environment holds any flags, as a cheap
// connectivity check for the CLI.
func (s *Syncer) Probe(ctx context.Context, env string) (bool, error) {
	ns, err := s.Resolve(env)
	if err != nil {
		return false, err
	}
	res, err := s.API.ListWorkersKVKeys(ctx, s.rc(), cfv0.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      kvkey.Flags.Child(env).Prefix(),
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	// A page may be empty while more keys follow, so the cursor counts too.
	return len(res.Result) > 0 || res.ResultInfo.Cursor != "", nil
}

func (s *Syncer) readManifest(ctx context.Context, ns, env string) (flags.Manifest, error) {
	var m flags.Manifest
	raw, err := s.API.GetWorkersKV(ctx, s.rc(), cfv0.GetWorkersKVParams{NamespaceID: ns, Key: kvkey.EnvManifest(env).String()})
	if err != nil {
		return m, err
	}
	if raw == nil { // EXPECT kvnull
		return m, ErrNoManifest
	}
	return m, json.Unmarshal(raw, &m)
}
