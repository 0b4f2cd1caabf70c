package codec

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Envelope wraps a stored JSON document with its schema version so that
// old records can be upgraded when they are read.
type Envelope struct {
	Schema int             `json:"v"`
	Kind   string          `json:"k"`
	Data   json.RawMessage `json:"d"`
}

// Migration upgrades a document from schema From to From+1.
type Migration struct {
	From int
	Up   func(json.RawMessage) (json.RawMessage, error)
}

// Schema describes one kind of document and how to bring old versions up
// to date.
type Schema struct {
	Kind       string
	Current    int
	Migrations []Migration
}

// Wrap encodes v as the current version of s.
func (s Schema) Wrap(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{Schema: s.Current, Kind: s.Kind, Data: data})
}

// Unwrap decodes raw into out, running migrations as needed. It reports
// whether the stored document was older than Current.
func (s Schema) Unwrap(raw []byte, out any) (migrated bool, err error) {
	var env Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return false, fmt.Errorf("codec: %s envelope: %w", s.Kind, err)
	}
	if env.Schema == 0 {
		// Records written before envelopes existed are bare documents.
		env = Envelope{Schema: 1, Kind: s.Kind, Data: raw}
	}
	if env.Kind != "" && env.Kind != s.Kind {
		return false, fmt.Errorf("codec: expected %s, found %s", s.Kind, env.Kind)
	}
	if env.Schema > s.Current {
		return false, fmt.Errorf("codec: %s v%d is newer than this build (v%d)", s.Kind, env.Schema, s.Current)
	}
	steps := append([]Migration(nil), s.Migrations...)
	sort.Slice(steps, func(i, j int) bool { return steps[i].From < steps[j].From })
	data := env.Data
	for _, m := range steps {
		if m.From < env.Schema {
			continue
		}
		if data, err = m.Up(data); err != nil {
			return false, fmt.Errorf("codec: %s v%d->v%d: %w", s.Kind, m.From, m.From+1, err)
		}
		migrated = true
	}
	return migrated, json.Unmarshal(data, out)
}
