// Package codec holds the value encodings used for records in KV. Records
// written by older deployments use plain JSON; newer ones use a versioned
// envelope so readers can tell schema generations apart.
package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Encoder turns a record into the string stored in KV and back.
type Encoder interface {
	Name() string
	Encode(v any) (string, error)
	Decode(s string, v any) error
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func marshal(v any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// JSON stores the record as bare JSON.
type JSON struct{}

func (JSON) Name() string { return "json" }

func (JSON) Encode(v any) (string, error) {
	b, err := marshal(v)
	return string(b), err
}

func (JSON) Decode(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Envelope wraps the record with a schema version.
type Envelope struct {
	Version int
}

type envelope struct {
	V    int             `json:"v"`
	Data json.RawMessage `json:"data"`
}

func (e Envelope) Name() string { return fmt.Sprintf("envelope/v%d", e.Version) }

func (e Envelope) Encode(v any) (string, error) {
	data, err := marshal(v)
	if err != nil {
		return "", err
	}
	b, err := marshal(envelope{V: e.Version, Data: data})
	return string(b), err
}

func (e Envelope) Decode(s string, v any) error {
	var env envelope
	if err := json.Unmarshal([]byte(s), &env); err != nil {
		return err
	}
	if env.Data == nil {
		// Pre-envelope record: the whole value is the payload.
		return json.Unmarshal([]byte(s), v)
	}
	if env.V > e.Version {
		return fmt.Errorf("codec: record version %d newer than reader %d", env.V, e.Version)
	}
	return json.Unmarshal(env.Data, v)
}

var encoders = map[string]Encoder{
	"json":     JSON{},
	"envelope": Envelope{Version: 2},
}

// ByName returns the configured encoder, falling back to the envelope.
func ByName(name string) Encoder {
	if e, ok := encoders[name]; ok {
		return e
	}
	return encoders["envelope"]
}
