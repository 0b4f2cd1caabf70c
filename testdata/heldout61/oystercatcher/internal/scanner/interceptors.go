package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
)

// Device is the record an API key resolves to.
type Device struct {
	ID       string   `json:"id"`
	OrgID    string   `json:"org_id"`
	Admin    bool     `json:"admin"`
	EventIDs []string `json:"event_ids"`
}

func (d *Device) allowed(eventID string) bool {
	return d.Admin || slices.Contains(d.EventIDs, eventID)
}

type deviceCtxKey struct{}

func deviceFrom(ctx context.Context) *Device {
	if d, ok := ctx.Value(deviceCtxKey{}).(*Device); ok {
		return d
	}
	return &Device{}
}

func apiKeyKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "apikey:" + hex.EncodeToString(sum[:])
}

func revokedKey(deviceID string) string { return "revoked:device:" + deviceID }

func firstMD(ctx context.Context, name string) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Authenticate resolves the x-api-key header to a Device.
func (s *Server) Authenticate(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	secret := firstMD(ctx, "x-api-key")
	if secret == "" {
		return nil, status.Error(codes.Unauthenticated, "missing x-api-key")
	}
	raw, err := s.kv.Get(ctx, apiKeyKey(secret))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, status.Error(codes.Unauthenticated, "unknown api key")
	}
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	var dev Device
	if err := json.Unmarshal(raw, &dev); err != nil {
		return nil, status.Error(codes.Internal, "corrupt device record")
	}
	switch _, err := s.kv.Get(ctx, revokedKey(dev.ID)); {
	case err == nil:
		return nil, status.Error(codes.PermissionDenied, "device revoked")
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return handler(context.WithValue(ctx, deviceCtxKey{}, &dev), req)
}

// Quota caps the scans a single device may make per UTC day.
func (s *Server) Quota(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if info.FullMethod != Scanner_CheckIn_FullMethodName {
		return handler(ctx, req)
	}
	dev := deviceFrom(ctx)
	key := fmt.Sprintf("quota:%s:%s", dev.ID, time.Now().UTC().Format(time.DateOnly))
	used := 0
	raw, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	if used >= s.cfg.DailyQuota {
		return nil, status.Errorf(codes.ResourceExhausted, "daily scan quota of %d reached", s.cfg.DailyQuota)
	}
	if err := s.kv.Put(ctx, key, []byte(strconv.Itoa(used+1)), 36*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return handler(ctx, req)
}

// Idempotent replays the stored reply when a scanner retries a request
// with the same idempotency-key after a network drop.
func (s *Server) Idempotent(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	idem := firstMD(ctx, "idempotency-key")
	if idem == "" {
		return handler(ctx, req)
	}
	key := fmt.Sprintf("idem:%s:%s", deviceFrom(ctx).ID, idem)
	if raw, err := s.kv.Get(ctx, key); err == nil {
		return json.RawMessage(raw), nil
	}
	resp, err := handler(ctx, req)
	if err != nil {
		return nil, err
	}
	buf, err := json.Marshal(resp)
	if err != nil {
		return resp, nil
	}
	if err := s.kv.Put(ctx, key, buf, s.cfg.ReplayTTL); err != nil { // DEBATABLE kvrace
		slog.WarnContext(ctx, "store idempotent reply", "key", key, "err", err)
	}
	return resp, nil
}

// TrackActivity records when the fleet last talked to us, for the venue
// operations dashboard.
func (s *Server) TrackActivity(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if perr := s.kv.Put(ctx, "scanners:last_activity", stamp, 0); perr != nil { // DEBATABLE kvhotkey
		slog.WarnContext(ctx, "record activity", "err", perr)
	}
	return resp, err
}
