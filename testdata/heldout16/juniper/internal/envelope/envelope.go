// Package envelope wraps stored documents with a schema number and a
// revision so old documents can be upgraded when they are read.
package envelope

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Envelope is the stored form.
type Envelope struct {
	Schema   int             `json:"schema"`
	Revision int64           `json:"rev"`
	Data     json.RawMessage `json:"data"`
}

// Upgrader rewrites a document from schema n to n+1.
type Upgrader func(json.RawMessage) (json.RawMessage, error)

// Codec knows the current schema and how to reach it.
type Codec struct {
	Current  int
	Upgrades map[int]Upgrader // keyed by the schema they upgrade from
}

// ErrFuture is returned for documents written by a newer deployment.
var ErrFuture = errors.New("envelope: document schema is newer than this build")

// Open decodes raw and upgrades it to the current schema. upgraded reports
// whether any step ran, i.e. whether the stored copy is stale.
func (c Codec) Open(raw []byte) (env Envelope, upgraded bool, err error) {
	if err := json.Unmarshal(raw, &env); err != nil {
		return Envelope{}, false, fmt.Errorf("envelope: %w", err)
	}
	if env.Schema == 0 && env.Data == nil {
		// Pre-envelope documents were stored bare.
		env = Envelope{Schema: 1, Data: json.RawMessage(raw)}
	}
	if env.Schema > c.Current {
		return Envelope{}, false, fmt.Errorf("%w (%d > %d)", ErrFuture, env.Schema, c.Current)
	}
	for env.Schema < c.Current {
		up, ok := c.Upgrades[env.Schema]
		if !ok {
			return Envelope{}, false, fmt.Errorf("envelope: no upgrade from schema %d", env.Schema)
		}
		if env.Data, err = up(env.Data); err != nil {
			return Envelope{}, false, fmt.Errorf("envelope: upgrade from %d: %w", env.Schema, err)
		}
		env.Schema++
		upgraded = true
	}
	return env, upgraded, nil
}

// Seal encodes data at the current schema with the given revision.
func (c Codec) Seal(data any, rev int64) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{Schema: c.Current, Revision: rev, Data: raw})
}

// Decode unmarshals the envelope's data into v.
func (e Envelope) Decode(v any) error { return json.Unmarshal(e.Data, v) }
