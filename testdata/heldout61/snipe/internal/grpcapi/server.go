package grpcapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// Server implements FleetServer on top of the KV namespace.
type Server struct {
	UnimplementedFleetServer

	store *kvstore.Store
	cfg   *config.Config
	log   *slog.Logger
}

var _ FleetServer = (*Server)(nil)

// NewServer returns the Fleet service implementation.
func NewServer(store *kvstore.Store, cfg *config.Config, log *slog.Logger) *Server {
	return &Server{store: store, cfg: cfg, log: log}
}

// Ingest records the newest point of a telemetry batch as the device's
// latest reading. The full batch goes to Kafka through the edge.
func (s *Server) Ingest(ctx context.Context, in *IngestRequest) (*IngestReply, error) {
	dev := in.DeviceId
	if dev == "" {
		return nil, status.Error(codes.InvalidArgument, "device_id is required")
	}
	var newest *Point
	for _, p := range in.GetPoints() {
		if newest == nil || p.TsUnixMs > newest.TsUnixMs {
			newest = p
		}
	}
	if newest == nil {
		return &IngestReply{}, nil
	}
	raw, err := json.Marshal(newest)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if err := s.store.Put(ctx, fleet.TelemetryKey(dev), raw, s.cfg.Telemetry.LatestTTL); err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &IngestReply{Accepted: int32(len(in.GetPoints())), Newest: newest.TsUnixMs}, nil
}

// AckCommand removes an executed command from the device's queue.
func (s *Server) AckCommand(ctx context.Context, in *AckCommandRequest) (*AckCommandReply, error) {
	key := fleet.CommandQueueKey(in.DeviceId)
	var q fleet.CommandQueue
	if err := s.store.GetJSON(ctx, key, &q); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return &AckCommandReply{}, nil
		}
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	kept := make([]fleet.Command, 0, len(q.Commands))
	for _, c := range q.Commands {
		if c.ID != in.CommandId {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(q.Commands) {
		return &AckCommandReply{Remaining: int32(len(kept))}, nil
	}
	q.Commands = kept
	if err := s.store.PutJSON(ctx, key, q, 0); err != nil { // EXPECT kvrace
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &AckCommandReply{Remaining: int32(len(kept))}, nil
}

type revocation struct {
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at"`
}

func revokedKey(hash string) string { return "auth:revoked:" + hash }

// RevokeKey blocks an API key. The key record itself is kept for audit.
func (s *Server) RevokeKey(ctx context.Context, in *RevokeKeyRequest) (*Empty, error) {
	if in.KeyHash == "" {
		return nil, status.Error(codes.InvalidArgument, "key_hash is required")
	}
	raw, _ := json.Marshal(revocation{Reason: in.Reason, RevokedAt: time.Now().UTC()})
	if err := s.store.Put(ctx, revokedKey(in.KeyHash), raw, 0); err != nil { // EXPECT kvsession
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	s.log.InfoContext(ctx, "api key revoked", "hash", in.KeyHash[:8])
	return &Empty{}, nil
}
