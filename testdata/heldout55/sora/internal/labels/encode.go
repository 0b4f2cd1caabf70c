package labels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Encoder turns label records into stored values and back.
type Encoder interface {
	Encode(kind string, v any) ([]byte, error)
	Decode(b []byte, v any) error
}

type plainJSON struct{}

func (plainJSON) Encode(_ string, v any) ([]byte, error) { return json.Marshal(v) }
func (plainJSON) Decode(b []byte, v any) error           { return json.Unmarshal(b, v) }

// envelope is the versioned wrapper used since labels v2.
type envelope struct {
	V    int             `json:"v"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

type envelopeJSON struct{ version int }

var encBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (e envelopeJSON) Encode(kind string, v any) ([]byte, error) {
	buf := encBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer encBufs.Put(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return nil, err
	}
	return json.Marshal(envelope{V: e.version, Kind: kind, Data: bytes.TrimSpace(buf.Bytes())})
}

func (e envelopeJSON) Decode(b []byte, v any) error {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return err
	}
	if env.V == 0 {
		// Written before envelopes existed.
		return json.Unmarshal(b, v)
	}
	if env.V > e.version {
		return fmt.Errorf("labels: value version %d is newer than %d", env.V, e.version)
	}
	return json.Unmarshal(env.Data, v)
}

func encoderFor(name string) Encoder {
	switch name {
	case "json":
		return plainJSON{}
	case "envelope-v1":
		return envelopeJSON{version: 1}
	default:
		return envelopeJSON{version: 2}
	}
}
