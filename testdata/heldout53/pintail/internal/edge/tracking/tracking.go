//go:build js && wasm

// Package tracking serves live order tracking at the edge: the delivery ETA
// the dispatcher computed, courier notes, and an abuse guard on order
// submission.
package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/edge/kvx"
	"github.com/syumai/workers/cloudflare/kv"
)

// ErrTooMany is returned when a client submits orders too quickly.
var ErrTooMany = errors.New("tracking: too many orders")

// etaTTL is how long an ETA stays valid at the edge, in seconds.
const etaTTL = 45

// ETA is the dispatcher's estimate for an order.
type ETA struct {
	OrderID   string    `json:"order_id"`
	Arrive    time.Time `json:"arrive"`
	CourierID string    `json:"courier_id,omitempty"`
}

// ETAKey is the typed handle for an order's ETA.
func ETAKey(ns *kvx.Namespace, orderID string) kvx.Key[ETA] {
	return kvx.NewKey[ETA](ns, "eta:"+orderID)
}

// Service serves tracking data.
type Service struct {
	ns *kvx.Namespace
}

// New returns a Service over ns.
func New(ns *kvx.Namespace) *Service { return &Service{ns: ns} }

// PublishETA stores the dispatcher's estimate.
func (s *Service) PublishETA(e ETA) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.ns.Raw().PutString("eta:"+e.OrderID, string(b), &kv.PutOptions{
		ExpirationTTL: etaTTL, // EXPECT kvttl
	})
}

// PublishETAUntilArrival keeps the estimate until a little after arrival.
func (s *Service) PublishETAUntilArrival(ctx context.Context, e ETA) error {
	return ETAKey(s.ns, e.OrderID).Store(ctx, e, 45*time.Second) // EXPECT kvttl
}

// PublishETAForShift keeps the estimate for the courier's whole run.
func (s *Service) PublishETAForShift(ctx context.Context, e ETA, run time.Duration) error {
	return ETAKey(s.ns, e.OrderID).Store(ctx, e, max(run, 10*time.Minute))
}

// Minutes returns the whole minutes left until the courier arrives, as
// stored by the legacy dispatcher that writes plain seconds.
func (s *Service) Minutes(orderID string) (int, error) {
	raw, err := s.ns.Raw().GetString("eta-secs:"+orderID, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	secs, err := strconv.Atoi(raw)
	if err != nil {
		return 0, err
	}
	return (secs + 59) / 60, nil
}

// Board returns the ETAs of several orders at once, for the restaurant's
// pickup screen, one goroutine per order.
func (s *Service) Board(ctx context.Context, orderIDs []string) ([]ETA, error) {
	out := make([]ETA, len(orderIDs))
	errs := make([]error, len(orderIDs))
	var wg sync.WaitGroup
	for i, id := range orderIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := ETAKey(s.ns, id).Load(ctx)
			if errors.Is(err, kvx.ErrMiss) {
				err = nil
			}
			out[i], errs[i] = e, err
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// Active returns the ETAs of every order of a restaurant that is out for
// delivery. Keys are "active:<restaurant>:<order>".
func (s *Service) Active(ctx context.Context, restaurantID string) ([]ETA, error) {
	prefix := "active:" + restaurantID + ":"
	var names []string
	opts := &kv.ListOptions{Prefix: prefix}
	for {
		res, err := s.ns.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		opts = &kv.ListOptions{Prefix: prefix, Cursor: res.Cursor}
	}
	out := make([]ETA, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := s.ns.Raw().GetString("eta:"+name[len(prefix):], nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				return
			}
			_ = json.Unmarshal([]byte(raw), &out[i])
		}()
	}
	wg.Wait()
	return out, nil
}

// Delivered lists, page by page, the orders a courier delivered today.
func (s *Service) Delivered(courierID string, day time.Time) ([]string, error) {
	var ids []string
	cursor := ""
	for page := 0; page < 10; page++ {
		opts := &kv.ListOptions{Prefix: "delivered:" + courierID + ":" + day.Format("20060102") + ":", Limit: 1000}
		if cursor != "" {
			opts = &kv.ListOptions{Cursor: cursor, Limit: 1000}
		}
		res, err := s.ns.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			ids = append(ids, k.Name)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return ids, nil
}

// AddNote appends a courier's note ("gate code 4411", "left with
// concierge") to an order.
func (s *Service) AddNote(orderID, note string) string {
	key := "order-notes:" + orderID
	notes := kvx.MustGet(s.ns, key)
	if notes != "" {
		notes += "\n"
	}
	notes += time.Now().UTC().Format("15:04") + " " + note
	kvx.MustPut(s.ns, key, notes, 2*86400) // EXPECT kvrace
	return notes
}

// Notes returns the notes of an order.
func (s *Service) Notes(orderID string) string {
	return kvx.MustGet(s.ns, "order-notes:"+orderID)
}

// GuardSubmit refuses a client that has placed too many orders in the last
// minute.
func (s *Service) GuardSubmit(ip string, perMinute int) error {
	key := "ratelimit:submit:" + ip
	raw, err := s.ns.Raw().GetString(key, nil) // DEBATABLE kvnull
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	if n >= perMinute {
		return ErrTooMany
	}
	return s.ns.Raw().PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}
