// Package rpc holds what every Connect service in the backend is mounted with.
package rpc

import (
	"encoding/json"

	"connectrpc.com/connect"
)

// JSONCodec lets the hand-maintained message structs travel as plain JSON.
type JSONCodec struct{}

var _ connect.Codec = JSONCodec{}

func (JSONCodec) Name() string                  { return "json" }
func (JSONCodec) Marshal(m any) ([]byte, error) { return json.Marshal(m) }
func (JSONCodec) Unmarshal(b []byte, m any) error {
	return json.Unmarshal(b, m)
}
