package kvstore

import (
	"maps"
	"time"
)

// Option tunes a single store call or, when passed to an adapter
// constructor, the defaults for every call on that adapter.
type Option interface {
	apply(*Options)
}

// Options is the resolved form of a list of Option values.
type Options struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Limit     int
	Cursor    string
	Metadata  map[string]any
}

type ttlOption time.Duration

func (o ttlOption) apply(x *Options) { x.TTL = time.Duration(o) }

type expiresAtOption time.Time

func (o expiresAtOption) apply(x *Options) { x.ExpiresAt = time.Time(o) }

type limitOption int

func (o limitOption) apply(x *Options) { x.Limit = int(o) }

type cursorOption string

func (o cursorOption) apply(x *Options) { x.Cursor = string(o) }

type metadataOption map[string]any

func (o metadataOption) apply(x *Options) {
	if x.Metadata == nil {
		x.Metadata = make(map[string]any, len(o))
	}
	maps.Copy(x.Metadata, o)
}

// WithTTL expires the written key after d.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

// WithExpiresAt expires the written key at t.
func WithExpiresAt(t time.Time) Option { return expiresAtOption(t) }

// WithLimit caps the number of keys a List call returns.
func WithLimit(n int) Option { return limitOption(n) }

// WithCursor continues a listing from a previous page.
func WithCursor(c string) Option { return cursorOption(c) }

// WithMetadata attaches metadata to a written key. Repeated calls merge.
func WithMetadata(m map[string]any) Option { return metadataOption(m) }

// Resolve folds defaults and per-call options, later ones winning.
func Resolve(defaults []Option, opts ...Option) Options {
	var o Options
	for _, opt := range defaults {
		opt.apply(&o)
	}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}
