// Package rental maps the rental.v1 RPC messages onto KV store calls.
package rental

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"brant/internal/cfkv"
	"brant/internal/domain"
	"brant/internal/rentalpb"
	"brant/internal/tracing"
	"brant/internal/units"
)

// Server implements rentalpb.RentalServer.
type Server struct {
	rentalpb.UnimplementedRentalServer
	store domain.BlobStore
	kv    *cfkv.Store
	now   func() time.Time
}

var _ rentalpb.RentalServer = (*Server)(nil)

// NewServer returns the rental service backed by store.
func NewServer(store *cfkv.Store) rentalpb.RentalServer {
	return &Server{store: store, kv: store, now: time.Now}
}

// putCmd is what PutEntry hands to the repository.
type putCmd struct {
	Key   string
	Value []byte
	TTL   units.Secs
}

type entryRepo struct {
	store domain.BlobStore
}

func (r entryRepo) put(ctx context.Context, c putCmd) error {
	ttl := units.Duration(c.TTL)
	return r.store.Write(ctx, c.Key, c.Value, domain.WriteOpts{TTL: &ttl})
}

// PutEntry stores an arbitrary entry for internal tools.
func (s *Server) PutEntry(ctx context.Context, req *rentalpb.PutEntryRequest) (_ *rentalpb.PutEntryResponse, err error) {
	ctx, end := tracing.Start(ctx, "rpc.PutEntry", tracing.Str("key", req.GetKey()))
	defer end(&err)
	if req.GetKey() == "" {
		return nil, errors.New("key required")
	}
	cmd := putCmd{
		Key:   req.GetNamespace() + ":" + req.GetKey(),
		Value: req.GetValue(),
		TTL:   units.Secs(cmp.Or(req.GetTtlSeconds(), 30)), // DEBATABLE kvttl
	}
	if err := (entryRepo{store: s.store}).put(ctx, cmd); err != nil {
		return nil, err
	}
	return &rentalpb.PutEntryResponse{Key: cmd.Key}, nil
}

// RevokeToken revokes a rider's refresh token.
func (s *Server) RevokeToken(ctx context.Context, req *rentalpb.RevokeTokenRequest) (_ *rentalpb.RevokeTokenResponse, err error) {
	ctx, end := tracing.Start(ctx, "rpc.RevokeToken", tracing.Str("token", req.GetTokenId()))
	defer end(&err)
	at := s.now().Unix()
	rec := domain.RefreshToken{ID: req.GetTokenId(), RiderID: req.GetRiderId(), RevokedAt: at}
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	key := domain.KindRefresh.Key(req.GetTokenId())
	if err := s.store.Write(ctx, key, body, domain.WriteOpts{TTL: units.Ptr(domain.KindRefresh.Lifetime())}); err != nil { // EXPECT kvsession
		return nil, err
	}
	err = s.kv.Modify(ctx, "revoked:"+req.GetRiderId(), domain.KindRefresh.Lifetime(), func(old []byte) ([]byte, error) { // EXPECT kvsession
		var ids []string
		if len(old) > 0 {
			if err := json.Unmarshal(old, &ids); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(ids, req.GetTokenId()) {
			ids = append(ids, req.GetTokenId())
		}
		return json.Marshal(ids)
	})
	if err != nil {
		return nil, err
	}
	return &rentalpb.RevokeTokenResponse{RevokedAt: at}, nil
}

// ExtendHold moves a vehicle hold's expiry to the requested time.
func (s *Server) ExtendHold(ctx context.Context, req *rentalpb.ExtendHoldRequest) (_ *rentalpb.ExtendHoldResponse, err error) {
	ctx, end := tracing.Start(ctx, "rpc.ExtendHold", tracing.Str("vehicle", req.GetVehicleId()))
	defer end(&err)
	expires := time.Unix(req.GetExpiresAtUnix(), 0)
	if !expires.After(s.now()) {
		return nil, fmt.Errorf("hold for %s already expired", req.GetVehicleId())
	}
	hold := domain.Hold{VehicleID: req.GetVehicleId(), RiderID: req.GetRiderId(), ExpiresAt: expires}
	body, _ := json.Marshal(hold)
	ttl := time.Until(expires)
	if err := s.store.Write(ctx, domain.KindHold.Key(hold.VehicleID), body, domain.WriteOpts{
		TTL: &ttl, // EXPECT kvttl
	}); err != nil {
		return nil, err
	}
	if g := req.GetGraceSeconds(); g > 0 {
		if err := s.remindBefore(ctx, hold, time.Duration(g)*time.Second); err != nil {
			return nil, err
		}
	}
	return &rentalpb.ExtendHoldResponse{TtlSeconds: int64(ttl / time.Second)}, nil
}

// remindBefore schedules the "your hold is ending" push for the hold.
func (s *Server) remindBefore(ctx context.Context, hold domain.Hold, window time.Duration) error {
	body, _ := json.Marshal(map[string]any{"vehicle_id": hold.VehicleID, "rider_id": hold.RiderID, "at": hold.ExpiresAt.Add(-window)})
	ttl := max(2*window, 3*time.Second)
	return s.store.Write(ctx, "remind:"+hold.VehicleID, body, domain.WriteOpts{
		TTL: &ttl, // EXPECT kvttl
	})
}

// ReceiptLink stores a shareable receipt link that lives until the receipt's
// dispute window closes.
func (s *Server) ReceiptLink(ctx context.Context, tripID string, disputeUntil time.Time) (string, error) {
	token := fmt.Sprintf("%x", s.now().UnixNano())
	ttl := max(time.Until(disputeUntil), time.Minute)
	return token, s.store.Write(ctx, "receipt_link:"+token, []byte(tripID), domain.WriteOpts{TTL: &ttl})
}
