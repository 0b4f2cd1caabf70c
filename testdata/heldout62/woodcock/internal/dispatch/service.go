// Package dispatch implements dispatch.v1.DispatchService: assigning orders to
// couriers, courier shifts and zone views for the dispatcher console.
package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	dispatchv1 "github.com/fleetbite/woodcock/internal/gen/dispatch/v1"
	"github.com/fleetbite/woodcock/internal/gen/dispatch/v1/dispatchv1connect"
	"github.com/fleetbite/woodcock/internal/kvstore"
)

// Roster is the courier HR system; it owns courier profiles.
type Roster interface {
	Courier(ctx context.Context, courierID string) (*dispatchv1.CourierProfile, error)
}

// Router estimates delivery times; it is slow and metered.
type Router interface {
	Eta(ctx context.Context, restaurantID, geohash string) (time.Duration, error)
}

// Config is read once at startup.
type Config struct {
	ProfileCacheTTL time.Duration // how long courier profiles stay cached
	EtaQuoteTTL     time.Duration // how long an ETA quote may be reused
	ClaimTTL        time.Duration // how long an assignment claim is kept
}

// Service implements dispatchv1connect.DispatchServiceHandler.
type Service struct {
	kv     *kvstore.Namespace
	roster Roster
	router Router
	cfg    Config
}

var _ dispatchv1connect.DispatchServiceHandler = (*Service)(nil)

// NewService wires the service.
func NewService(ns *kvstore.Namespace, roster Roster, router Router, cfg Config) *Service {
	if cfg.ClaimTTL == 0 {
		cfg.ClaimTTL = 2 * time.Hour
	}
	return &Service{kv: ns, roster: roster, router: router, cfg: cfg}
}

type assignment struct {
	ID           string    `json:"id"`
	OrderID      string    `json:"orderId"`
	CourierID    string    `json:"courierId"`
	RestaurantID string    `json:"restaurantId"`
	AssignedAt   time.Time `json:"assignedAt"`
}

type dispatchStats struct {
	LastOrderID    string    `json:"lastOrderId"`
	LastAssignedAt time.Time `json:"lastAssignedAt"`
}

const etaCacheTTL = 2 * time.Minute

func (s *Service) AssignCourier(ctx context.Context, req *connect.Request[dispatchv1.AssignCourierRequest]) (*connect.Response[dispatchv1.AssignCourierResponse], error) {
	msg := req.Msg
	if msg.OrderId == "" || msg.CourierId == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("orderId and courierId are required"))
	}
	claimKey := "dispatch:claim:" + msg.OrderId
	if _, err := s.kv.Get(ctx, claimKey); err == nil {
		return nil, connect.NewError(connect.CodeAlreadyExists, fmt.Errorf("order %s is already assigned", msg.OrderId))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}

	a := assignment{
		ID:           newID(),
		OrderID:      msg.OrderId,
		CourierID:    msg.CourierId,
		RestaurantID: msg.RestaurantId,
		AssignedAt:   time.Now().UTC(),
	}
	body, err := json.Marshal(a)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	if err := s.kv.Put(ctx, claimKey, body, s.cfg.ClaimTTL); err != nil { // EXPECT kvrace
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	if err := s.kv.AppendLine(ctx, "order:trail:"+msg.OrderId, fmt.Sprintf("%s assigned %s", a.AssignedAt.Format(time.RFC3339), msg.CourierId)); err != nil {
		slog.WarnContext(ctx, "order trail not updated", "order", msg.OrderId, "err", err)
	}

	stats, _ := json.Marshal(dispatchStats{LastOrderID: msg.OrderId, LastAssignedAt: a.AssignedAt})
	if err := s.kv.Put(ctx, "dispatch:stats:last-assignment", stats, 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "dispatch stats not updated", "err", err)
	}

	return connect.NewResponse(&dispatchv1.AssignCourierResponse{
		AssignmentId: a.ID,
		ExpiresAt:    a.AssignedAt.Add(s.cfg.ClaimTTL).Unix(),
	}), nil
}

func (s *Service) SetCourierShift(ctx context.Context, req *connect.Request[dispatchv1.SetCourierShiftRequest]) (*connect.Response[dispatchv1.SetCourierShiftResponse], error) {
	msg := req.Msg
	switch msg.Status {
	case "online", "paused", "offline":
	default:
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("unknown status %q", msg.Status))
	}

	key := "courier:shift:" + msg.CourierId
	var shift dispatchv1.CourierShift
	raw, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		shift = dispatchv1.CourierShift{CourierId: msg.CourierId, StartedAt: time.Now().Unix()}
	case err != nil:
		return nil, connect.NewError(connect.CodeUnavailable, err)
	default:
		if err := json.Unmarshal(raw, &shift); err != nil {
			return nil, connect.NewError(connect.CodeDataLoss, err)
		}
	}

	shift.Status = msg.Status
	shift.UpdatedAt = time.Now().Unix()
	shift.Transitions++
	if msg.ZoneId != "" && msg.ZoneId != shift.ZoneId {
		shift.ZoneId = msg.ZoneId
		if err := s.joinZone(ctx, msg.ZoneId, msg.CourierId); err != nil {
			return nil, connect.NewError(connect.CodeUnavailable, err)
		}
	}

	out, err := json.Marshal(&shift)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	meta := map[string]any{"status": shift.Status, "zone": shift.ZoneId}
	if err := s.kv.PutWithMetadata(ctx, key, out, meta, 0); err != nil { // EXPECT kvrace
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	shiftKey := "zone:" + shift.ZoneId + ":courier:" + shift.CourierId
	if err := s.kv.PutWithMetadata(ctx, shiftKey, out, meta, 12*time.Hour); err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	return connect.NewResponse(&dispatchv1.SetCourierShiftResponse{Shift: &shift}), nil
}

// joinZone records that a courier has worked a zone, for the weekly roster report.
func (s *Service) joinZone(ctx context.Context, zoneID, courierID string) error {
	key := "zone:members:" + zoneID
	var members []string
	raw, err := s.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &members); err != nil {
			return err
		}
	}
	for _, m := range members {
		if m == courierID {
			return nil
		}
	}
	members = append(members, courierID)
	out, _ := json.Marshal(members)
	return s.kv.Put(ctx, key, out, 0) // EXPECT kvrace
}

func (s *Service) GetCourierProfile(ctx context.Context, req *connect.Request[dispatchv1.GetCourierProfileRequest]) (*connect.Response[dispatchv1.GetCourierProfileResponse], error) {
	id := req.Msg.CourierId
	key := "courier:profile:" + id
	raw, err := s.kv.Get(ctx, key)
	if err == nil {
		var p dispatchv1.CourierProfile
		if json.Unmarshal(raw, &p) == nil {
			return connect.NewResponse(&dispatchv1.GetCourierProfileResponse{Profile: &p}), nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		slog.WarnContext(ctx, "profile cache unavailable", "courier", id, "err", err)
	}

	p, err := s.roster.Courier(ctx, id)
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, err)
	}
	if out, err := json.Marshal(p); err == nil {
		if err := s.kv.PutCache(ctx, key, out, s.cfg.ProfileCacheTTL); err != nil {
			slog.WarnContext(ctx, "profile not cached", "courier", id, "err", err)
		}
	}
	return connect.NewResponse(&dispatchv1.GetCourierProfileResponse{Profile: p}), nil
}

func (s *Service) ListZoneCouriers(ctx context.Context, req *connect.Request[dispatchv1.ListZoneCouriersRequest]) (*connect.Response[dispatchv1.ListZoneCouriersResponse], error) {
	size := int(req.Msg.PageSize)
	if size <= 0 {
		size = 100
	}
	page, err := s.kv.ListPage(ctx, "zone:"+req.Msg.ZoneId+":courier:", req.Msg.PageToken, size)
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	resp := &dispatchv1.ListZoneCouriersResponse{NextPageToken: page.Cursor}
	for _, k := range page.Keys {
		raw, err := s.kv.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var shift dispatchv1.CourierShift
		if json.Unmarshal(raw, &shift) == nil {
			resp.Couriers = append(resp.Couriers, &shift)
		}
	}
	return connect.NewResponse(resp), nil
}

func (s *Service) GetZoneLoad(ctx context.Context, req *connect.Request[dispatchv1.GetZoneLoadRequest]) (*connect.Response[dispatchv1.GetZoneLoadResponse], error) {
	api := s.kv.API()
	res, err := api.KV.Namespaces.Keys.List(ctx, s.kv.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.kv.AccountID()),
		Prefix:    cloudflare.F("zone:" + req.Msg.ZoneId + ":courier:"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	out := &dispatchv1.GetZoneLoadResponse{ZoneId: req.Msg.ZoneId}
	for _, k := range res.Result {
		meta, _ := k.Metadata.(map[string]any)
		switch meta["status"] {
		case "online":
			out.OnlineCouriers++
		case "paused":
			out.PausedCouriers++
		}
	}
	return connect.NewResponse(out), nil
}

func (s *Service) QuoteEta(ctx context.Context, req *connect.Request[dispatchv1.QuoteEtaRequest]) (*connect.Response[dispatchv1.QuoteEtaResponse], error) {
	m := req.Msg
	geo := strings.ToLower(m.DropoffGeohash)
	if len(geo) > 6 {
		geo = geo[:6]
	}
	key := fmt.Sprintf("eta:%s:%s", m.RestaurantId, geo)
	if raw, err := s.kv.Get(ctx, key); err == nil {
		var minutes int32
		if _, err := fmt.Sscan(string(raw), &minutes); err == nil {
			return connect.NewResponse(&dispatchv1.QuoteEtaResponse{Minutes: minutes, Cached: true}), nil
		}
	}
	d, err := s.router.Eta(ctx, m.RestaurantId, geo)
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	minutes := int32(d.Round(time.Minute) / time.Minute)
	val := fmt.Sprint(minutes)
	if err := s.kv.Put(ctx, key, []byte(val), s.cfg.EtaQuoteTTL); err != nil { // DEBATABLE kvttl
		slog.WarnContext(ctx, "eta quote not cached", "err", err)
	}
	// The restaurant-level fallback is read by the edge when routing is down.
	_, err = s.kv.API().KV.Namespaces.Values.Update(ctx, s.kv.ID(), "eta:"+m.RestaurantId+":fallback", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.kv.AccountID()),
		Value:         cloudflare.F(val),
		ExpirationTTL: cloudflare.F(float64(etaCacheTTL)), // EXPECT kvttl
	})
	if err != nil {
		slog.WarnContext(ctx, "eta fallback not cached", "err", err)
	}
	return connect.NewResponse(&dispatchv1.QuoteEtaResponse{Minutes: minutes}), nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
