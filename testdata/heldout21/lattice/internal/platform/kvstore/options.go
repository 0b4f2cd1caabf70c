package kvstore

import (
	"maps"
	"time"
)

// WriteSettings is what a Put ends up asking the backend for.
type WriteSettings struct {
	// TTL is relative to the moment of the write. Zero means no TTL.
	TTL time.Duration
	// ExpireAt is an absolute expiry. Ignored when TTL is set.
	ExpireAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata map[string]any
}

// Option changes how a value is written.
type Option interface {
	apply(*WriteSettings)
}

type ttlOption time.Duration

func (o ttlOption) apply(s *WriteSettings) { s.TTL = time.Duration(o) }

// TTL expires the value d after the write.
func TTL(d time.Duration) Option { return ttlOption(d) }

type ttlSecondsOption int64

func (o ttlSecondsOption) apply(s *WriteSettings) { s.TTL = time.Duration(o) * time.Second }

// TTLSeconds expires the value n seconds after the write. It exists for
// callers that carry lifetimes as plain seconds (mobile SDK payloads, config).
func TTLSeconds(n int64) Option { return ttlSecondsOption(n) }

type expireAtOption time.Time

func (o expireAtOption) apply(s *WriteSettings) { s.ExpireAt = time.Time(o) }

// ExpireAt expires the value at t.
func ExpireAt(t time.Time) Option { return expireAtOption(t) }

type metadataOption map[string]any

func (o metadataOption) apply(s *WriteSettings) {
	if s.Metadata == nil {
		s.Metadata = make(map[string]any, len(o))
	}
	maps.Copy(s.Metadata, o)
}

// Metadata attaches small, listable metadata to the value.
func Metadata(m map[string]any) Option { return metadataOption(m) }

// Settings folds opts into a WriteSettings.
func Settings(opts ...Option) WriteSettings {
	var s WriteSettings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}
