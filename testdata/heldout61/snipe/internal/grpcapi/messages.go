// Package grpcapi is fleetd's device-facing gRPC API. Messages are plain Go
// structs carried by a JSON codec; the service descriptor has the shape
// protoc-gen-go-grpc generates.
package grpcapi

import (
	"encoding/json"

	"google.golang.org/grpc/encoding"
)

// Codec carries the API's messages as JSON. Clients select it with
// grpc.CallContentSubtype("json").
type Codec struct{}

func (Codec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (Codec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (Codec) Name() string                       { return "json" }

func init() { encoding.RegisterCodec(Codec{}) }

type Point struct {
	Metric   string  `json:"metric,omitempty"`
	Value    float64 `json:"value,omitempty"`
	TsUnixMs int64   `json:"ts_unix_ms,omitempty"`
}

type IngestRequest struct {
	DeviceId       string   `json:"device_id,omitempty"`
	IdempotencyKey string   `json:"idempotency_key,omitempty"`
	Points         []*Point `json:"points,omitempty"`
}

func (x *IngestRequest) GetIdempotencyKey() string {
	if x != nil {
		return x.IdempotencyKey
	}
	return ""
}

func (x *IngestRequest) GetPoints() []*Point {
	if x != nil {
		return x.Points
	}
	return nil
}

type IngestReply struct {
	Accepted int32 `json:"accepted,omitempty"`
	Newest   int64 `json:"newest,omitempty"`
}

type AckCommandRequest struct {
	DeviceId  string `json:"device_id,omitempty"`
	CommandId string `json:"command_id,omitempty"`
}

type AckCommandReply struct {
	Remaining int32 `json:"remaining,omitempty"`
}

type RevokeKeyRequest struct {
	KeyHash string `json:"key_hash,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

type Empty struct{}
