package kvstore

import "time"

// Options is the resolved form of a list of Option values. Adapters read it;
// callers build it with the With* helpers.
type Options struct {
	TTL       time.Duration
	ExpiresAt time.Time
	CacheTTL  time.Duration
	Limit     int
	Cursor    string
	Metadata  map[string]any
	Batch     int
}

// Option configures a single store call or the defaults of a repository.
type Option interface {
	apply(*Options)
}

type ttlOption time.Duration

func (o ttlOption) apply(opts *Options) { opts.TTL = time.Duration(o) }

type expiresAtOption time.Time

func (o expiresAtOption) apply(opts *Options) { opts.ExpiresAt = time.Time(o) }

type cacheTTLOption time.Duration

func (o cacheTTLOption) apply(opts *Options) { opts.CacheTTL = time.Duration(o) }

type limitOption int

func (o limitOption) apply(opts *Options) { opts.Limit = int(o) }

type cursorOption string

func (o cursorOption) apply(opts *Options) { opts.Cursor = string(o) }

type batchOption int

func (o batchOption) apply(opts *Options) { opts.Batch = int(o) }

type metadataOption struct{ m map[string]any }

func (o metadataOption) apply(opts *Options) {
	if opts.Metadata == nil {
		opts.Metadata = make(map[string]any, len(o.m))
	}
	for k, v := range o.m {
		opts.Metadata[k] = v
	}
}

// WithTTL makes the written key expire d after the write.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

// WithExpiresAt makes the written key expire at t.
func WithExpiresAt(t time.Time) Option { return expiresAtOption(t) }

// WithCacheTTL controls how long an edge location may cache a read.
func WithCacheTTL(d time.Duration) Option { return cacheTTLOption(d) }

// WithLimit caps the number of keys a List call returns.
func WithLimit(n int) Option { return limitOption(n) }

// WithCursor continues a listing where a previous page stopped.
func WithCursor(c string) Option { return cursorOption(c) }

// WithBatch sets how many pairs a bulk write sends per request.
func WithBatch(n int) Option { return batchOption(n) }

// WithMetadata attaches metadata to a written key. Adapters that cannot
// store metadata ignore it.
func WithMetadata(m map[string]any) Option { return metadataOption{m: m} }

// Resolve folds opts, in order, into an Options value.
func Resolve(opts ...Option) Options {
	var o Options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}
