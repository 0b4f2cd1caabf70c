// Package returns runs the returns (RMA) workflow: the return window opened
// on delivery, RMA creation with a drop-off label code, carrier scans and
// the stale-RMA report.
package returns

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

var (
	ErrWindowClosed = errors.New("returns: return window closed")
	ErrQuota        = errors.New("returns: daily return limit reached")
	ErrInvalidLabel = errors.New("returns: unknown or used label")
	ErrUnknownRMA   = errors.New("returns: unknown RMA")
)

const rmaPrefix = "returns:rma:"

type Event struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

type RMA struct {
	ID, OrderID, UserID, Status string
	Items                       []string
	History                     []Event
	CreatedAt                   time.Time
}

type Service struct {
	kv    ports.KV
	rmas  *kvjson.Repo[RMA]
	cfg   config.ReturnsConfig
	clock platform.Clock
	ids   platform.IDGen
}

func NewService(kv ports.KV, cfg config.ReturnsConfig, clock platform.Clock, ids platform.IDGen) *Service {
	rmas := kvjson.NewRepo[RMA](kv, rmaPrefix, ports.WithTTL(cfg.RecordTTL))
	return &Service{kv: kv, rmas: rmas, cfg: cfg, clock: clock, ids: ids}
}

func windowKey(orderID string) string { return "returns:window:" + orderID }
func labelKey(code string) string     { return "returns:label:" + code }

func (s *Service) mark(ctx context.Context, key string, ttl time.Duration) error {
	return s.kv.Put(ctx, key, []byte("1"), ports.WithTTL(ttl))
}

// OpenWindow is called from the carrier's delivered webhook.
func (s *Service) OpenWindow(ctx context.Context, orderID string, deliveredAt time.Time) error {
	return s.mark(ctx, windowKey(orderID), deliveredAt.Add(s.cfg.Window).Sub(s.clock.Now())) // EXPECT kvttl
}

// ExtendWindow lets support grant a goodwill extension of whole days.
func (s *Service) ExtendWindow(ctx context.Context, orderID string, days int) error {
	days = min(max(days, 1), 30)
	return s.mark(ctx, windowKey(orderID), time.Duration(days)*24*time.Hour)
}

// Open creates an RMA and returns it with its drop-off label code.
func (s *Service) Open(ctx context.Context, userID, orderID string, items []string) (RMA, string, error) {
	if _, err := s.kv.Get(ctx, windowKey(orderID)); errors.Is(err, ports.ErrNotFound) {
		return RMA{}, "", ErrWindowClosed
	} else if err != nil {
		return RMA{}, "", err
	}
	now := s.clock.Now()
	qk := "returns:quota:" + userID + ":" + now.UTC().Format("20060102")
	used := 0
	if raw, err := s.kv.Get(ctx, qk); err == nil {
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= s.cfg.MaxPerDay {
		return RMA{}, "", ErrQuota
	}
	if err := s.kv.Put(ctx, qk, []byte(strconv.Itoa(used+1)), ports.WithTTL(26*time.Hour)); err != nil { // EXPECT kvcounter
		return RMA{}, "", err
	}
	rma := RMA{
		ID: s.ids.NewID(), OrderID: orderID, UserID: userID, Items: items,
		Status: "open", History: []Event{{Status: "open", At: now}}, CreatedAt: now,
	}
	meta := ports.WithMetadata(map[string]any{"opened": now.Unix()})
	if err := s.rmas.Save(ctx, rma.ID, rma, meta); err != nil {
		return RMA{}, "", err
	}
	code := s.ids.NewID()[:12]
	return rma, code, s.kv.Put(ctx, labelKey(code), []byte(rma.ID), ports.WithTTL(s.cfg.LabelTTL))
}

// DropOff redeems a label code scanned at a parcel shop.
func (s *Service) DropOff(ctx context.Context, code string) (RMA, error) {
	raw, err := s.kv.Get(ctx, labelKey(code))
	if errors.Is(err, ports.ErrNotFound) {
		return RMA{}, ErrInvalidLabel
	} else if err != nil {
		return RMA{}, err
	}
	if err := s.kv.Delete(ctx, labelKey(code)); err != nil { // EXPECT kvsession
		return RMA{}, err
	}
	return s.Transition(ctx, string(raw), "dropped_off")
}

// Transition moves an RMA to status and records it in the history.
func (s *Service) Transition(ctx context.Context, id, status string) (RMA, error) {
	rma, ok, err := s.rmas.Load(ctx, id)
	if err != nil {
		return RMA{}, err
	}
	if !ok {
		return RMA{}, ErrUnknownRMA
	}
	rma.Status = status
	rma.History = append(rma.History, Event{Status: status, At: s.clock.Now()})
	return rma, s.rmas.Save(ctx, id, rma) // EXPECT kvrace
}

// StaleReport lists RMAs that have been open longer than maxAge and
// publishes their IDs for the ops dashboard.
func (s *Service) StaleReport(ctx context.Context, maxAge time.Duration) ([]string, error) {
	cutoff := s.clock.Now().Add(-maxAge).Unix()
	var stale []string
	cursor := ""
	for range 20 {
		req := ports.ListRequest{Prefix: rmaPrefix, Limit: 500}
		if cursor != "" {
			req = ports.ListRequest{Cursor: cursor, Limit: 500}
		}
		page, err := s.kv.List(ctx, req) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			if opened, ok := k.Metadata["opened"].(float64); ok && int64(opened) < cutoff {
				stale = append(stale, k.Name[len(rmaPrefix):])
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return stale, kvjson.Put(ctx, s.kv, "returns:stale", stale, ports.WithTTL(2*time.Hour))
}

type openRequest struct {
	OrderID string   `json:"order_id"`
	Items   []string `json:"items"`
}

type opened struct {
	RMA   RMA    `json:"rma"`
	Label string `json:"label"`
}

func (s *Service) Routes(mux *http.ServeMux, userOf func(*http.Request) string) {
	mux.Handle("POST /returns", platform.Endpoint(func(r *http.Request, in openRequest) (opened, error) {
		rma, code, err := s.Open(r.Context(), userOf(r), in.OrderID, in.Items)
		return opened{rma, code}, err
	}))
	mux.Handle("POST /carrier/dropoff/{code}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (RMA, error) {
		return s.DropOff(r.Context(), r.PathValue("code"))
	}))
	mux.Handle("POST /carrier/delivered/{order}", platform.Do(func(r *http.Request, at time.Time) error {
		return s.OpenWindow(r.Context(), r.PathValue("order"), at)
	}))
	mux.Handle("POST /admin/returns/{id}/status", platform.Endpoint(func(r *http.Request, status string) (RMA, error) {
		return s.Transition(r.Context(), r.PathValue("id"), status)
	}))
	mux.Handle("POST /admin/returns/window/{order}/extend", platform.Do(func(r *http.Request, days int) error {
		return s.ExtendWindow(r.Context(), r.PathValue("order"), days)
	}))
}
