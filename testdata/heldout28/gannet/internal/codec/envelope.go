// Package codec holds the wire formats of values we keep in the store:
// a versioned JSON envelope, gzip for large documents and a compact
// binary form for slot bitmaps.
package codec

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Envelope wraps every JSON record with its schema version so that old
// records can be migrated when they are read.
type Envelope struct {
	Schema  int             `json:"schema"`
	Kind    string          `json:"kind"`
	Written int64           `json:"written"`
	Data    json.RawMessage `json:"data"`
}

// Migration upgrades the payload of one schema version to the next.
type Migration func(json.RawMessage) (json.RawMessage, error)

// Migrations maps a kind to its upgrade steps, indexed by source version.
type Migrations map[string]map[int]Migration

// ErrNewerSchema is returned when a record was written by a newer build.
var ErrNewerSchema = errors.New("codec: record written by a newer schema")

var now = time.Now

// Wrap encodes v in an envelope of the given kind and schema.
func Wrap(kind string, schema int, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("codec: encode %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Schema: schema, Kind: kind, Written: now().Unix(), Data: data})
}

// Unwrap decodes b into into, upgrading it to schema current on the way.
// Records written before envelopes existed are treated as schema 0.
// It reports whether the record was migrated, so callers may rewrite it.
func Unwrap(b []byte, into any, kind string, current int, m Migrations) (migrated bool, err error) {
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Schema == 0 && len(env.Data) == 0 {
		env = Envelope{Schema: 0, Kind: kind, Data: json.RawMessage(b)}
	}
	if env.Schema > current {
		return false, fmt.Errorf("%w: %s v%d > v%d", ErrNewerSchema, kind, env.Schema, current)
	}
	for v := env.Schema; v < current; v++ {
		step, ok := m[kind][v]
		if !ok {
			return false, fmt.Errorf("codec: no migration for %s v%d", kind, v)
		}
		if env.Data, err = step(env.Data); err != nil {
			return false, fmt.Errorf("codec: migrate %s v%d: %w", kind, v, err)
		}
		migrated = true
	}
	if err := json.Unmarshal(env.Data, into); err != nil {
		return false, fmt.Errorf("codec: decode %s: %w", kind, err)
	}
	return migrated, nil
}

// Rename returns a migration that renames top-level JSON fields.
func Rename(fields map[string]string) Migration {
	return func(raw json.RawMessage) (json.RawMessage, error) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
		for from, to := range fields {
			if v, ok := obj[from]; ok {
				obj[to] = v
				delete(obj, from)
			}
		}
		return json.Marshal(obj)
	}
}
