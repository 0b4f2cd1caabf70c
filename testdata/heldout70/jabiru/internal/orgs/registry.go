// Package orgs keeps one handle per Grafana organisation: the KV namespace
// it lives in, its key prefix and its limits.
package orgs

import (
	"fmt"
	"strconv"
	"sync"
	"time"
	"unique"

	"github.com/jabiru-observability/jabiru/internal/kvstore"
)

// Limits are the per-organisation knobs read from the data source settings.
type Limits struct {
	QueriesPerHour  int64
	SnapshotTTL     time.Duration
	QueryCacheTTL   time.Duration
	MaxListPages    int
	AnnotationsKept int
}

// Handle is everything a request needs to touch one organisation's keys.
type Handle struct {
	Org    int64
	NS     *kvstore.Namespace
	Limits Limits

	prefix unique.Handle[string]
}

// Key interns the key for kind and id under the organisation's prefix.
// Keys are interned because the same few thousand are built on every query.
func (h *Handle) Key(kind, id string) unique.Handle[string] {
	return unique.Make(h.prefix.Value() + kind + ":" + id)
}

// Prefix returns the prefix that all keys of kind share, for listings.
func (h *Handle) Prefix(kind string) string {
	return h.prefix.Value() + kind + ":"
}

// Registry hands out handles, creating each organisation's on first use.
type Registry struct {
	ns       *kvstore.Namespace
	defaults Limits
	handles  sync.Map // int64 -> *Handle
}

// NewRegistry returns a registry whose handles share ns.
func NewRegistry(ns *kvstore.Namespace, defaults Limits) *Registry {
	return &Registry{ns: ns, defaults: defaults}
}

// For returns the handle of org.
func (r *Registry) For(org int64) *Handle {
	if v, ok := r.handles.Load(org); ok {
		return v.(*Handle)
	}
	h := &Handle{
		Org:    org,
		NS:     r.ns,
		Limits: r.defaults,
		prefix: unique.Make("org/" + strconv.FormatInt(org, 10) + "/"),
	}
	v, _ := r.handles.LoadOrStore(org, h)
	return v.(*Handle)
}

// Override replaces the limits of one organisation, e.g. from an admin call.
func (r *Registry) Override(org int64, l Limits) {
	h := *r.For(org)
	h.Limits = l
	r.handles.Store(org, &h)
}

// Range calls fn for every organisation seen so far.
func (r *Registry) Range(fn func(*Handle) bool) {
	r.handles.Range(func(_, v any) bool { return fn(v.(*Handle)) })
}

// String implements fmt.Stringer for logs.
func (h *Handle) String() string { return fmt.Sprintf("org %d", h.Org) }
