// Package order runs one actor per order. Each actor owns a state machine
// from "placed" to "delivered" and mirrors the order into KV for the
// customer app and the edge Worker.
package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cloudflare/cloudflare-go"

	"github.com/kereru-dispatch/kereru/internal/fsm"
	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// States of an order.
const (
	Placed    = "placed"
	Accepted  = "accepted"
	Assigned  = "assigned"
	PickedUp  = "picked_up"
	Delivered = "delivered"
	Cancelled = "cancelled"
)

// Record is the order as the customer app reads it from KV.
type Record struct {
	OrderID      string    `json:"order_id"`
	RestaurantID string    `json:"restaurant_id"`
	ZoneID       string    `json:"zone_id"`
	CustomerID   string    `json:"customer_id"`
	CourierID    string    `json:"courier_id,omitempty"`
	State        string    `json:"state"`
	TotalCents   int64     `json:"total_cents"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// HistoryEntry is one line of an order's audit trail.
type HistoryEntry struct {
	State string    `json:"state"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

func recordKey(orderID string) string  { return "order:" + orderID }
func historyKey(orderID string) string { return "order:" + orderID + ":history" }
func pinKey(orderID string) string     { return "pin:" + orderID }
func openOrdersKey(restaurant string) string {
	return fmt.Sprintf("restaurant:%s:open_orders", restaurant)
}

// Actor owns one order.
type Actor struct {
	kv      *kvstore.Client
	log     *slog.Logger
	orderID string
	rec     Record
	m       *fsm.Machine
	courier *actor.PID
}

// NewProducer returns the producer the supervisor spawns per order.
func NewProducer(kv *kvstore.Client, orderID string, couriers *actor.PID) actor.Producer {
	return func() actor.Actor {
		a := &Actor{kv: kv, log: slog.Default().With("order", orderID), orderID: orderID, courier: couriers}
		a.m = a.machine()
		return a
	}
}

func (a *Actor) machine() *fsm.Machine {
	m := fsm.New(Placed).
		Allow("accept", Accepted, Placed).
		Allow("assign", Assigned, Accepted).
		Allow("pick_up", PickedUp, Assigned).
		Allow("deliver", Delivered, PickedUp).
		Allow("cancel", Cancelled, Placed, Accepted, Assigned)

	for _, st := range []string{Accepted, Assigned, PickedUp, Delivered, Cancelled} {
		st := st
		m.OnEnter(st, func(ctx context.Context, args ...any) error {
			return a.kv.Update(ctx, kvstore.Orders, historyKey(a.orderID), func(old []byte) ([]byte, error) {
				var h []HistoryEntry
				if old != nil {
					if err := json.Unmarshal(old, &h); err != nil {
						return nil, err
					}
				}
				h = append(h, HistoryEntry{State: st, At: time.Now().UTC()})
				return json.Marshal(h)
			})
		})
	}

	m.OnEnter(Accepted, func(ctx context.Context, args ...any) error {
		return a.addOpenOrder(ctx, a.rec.RestaurantID, a.orderID)
	})

	m.On("assign", func(ctx context.Context, args ...any) error {
		courierID, ok := fsm.Arg[string](args, 0)
		if !ok || courierID == "" {
			return errors.New("assign: courier id missing")
		}
		a.rec.CourierID = courierID
		return a.kv.PutTTL(ctx, kvstore.Orders, "order:"+a.orderID+":courier", []byte(courierID), 6*time.Hour)
	})

	m.On("pick_up", func(ctx context.Context, args ...any) error {
		orderID, _ := fsm.Arg[string](args, 0)
		pin, _ := fsm.Arg[string](args, 1)
		pinTTL, _ := fsm.Arg[time.Duration](args, 2)
		return a.kv.PutMany(ctx, kvstore.Orders, []*cloudflare.WorkersKVPair{{
			Key:           pinKey(orderID),
			Value:         pin,
			ExpirationTTL: int(pinTTL), // EXPECT kvttl
		}})
	})

	m.OnEnter(PickedUp, func(ctx context.Context, args ...any) error {
		orderID, _ := fsm.Arg[string](args, 0)
		return a.kv.PutUntil(ctx, kvstore.Orders, "order:"+orderID+":arriving", []byte("1"), time.Now().Add(45*time.Second)) // EXPECT kvttl
	})

	m.On("deliver", func(ctx context.Context, args ...any) error {
		orderID, _ := fsm.Arg[string](args, 0)
		return a.kv.Delete(ctx, kvstore.Orders, pinKey(orderID)) // EXPECT kvsession
	})

	m.OnExit(PickedUp, func(ctx context.Context, args ...any) error {
		return a.removeOpenOrder(ctx, a.rec.RestaurantID, a.orderID)
	})

	m.OnEnter(Delivered, func(ctx context.Context, args ...any) error {
		receipt, err := json.Marshal(map[string]any{"order_id": a.orderID, "courier_id": a.rec.CourierID, "delivered_at": time.Now().UTC()})
		if err != nil {
			return err
		}
		keep := time.Now().AddDate(0, 0, 30)
		return a.kv.PutUntil(ctx, kvstore.Orders, "receipt:"+a.orderID, receipt, keep)
	})

	m.On("cancel", func(ctx context.Context, args ...any) error {
		// Drop the customer-facing courier pointer; the record itself is kept.
		return a.kv.Delete(ctx, kvstore.Orders, "order:"+a.orderID+":courier")
	})

	m.When("deliver", func(ctx context.Context, args ...any) bool {
		orderID, _ := fsm.Arg[string](args, 0)
		raw, err := a.kv.Get(ctx, kvstore.Orders, "pin:"+orderID+":verified")
		if err != nil {
			return false
		}
		return string(raw) == "1"
	})
	return m
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.restore()
	case *msgs.PlaceOrder:
		a.rec = Record{
			OrderID: msg.OrderID, RestaurantID: msg.RestaurantID, ZoneID: msg.ZoneID,
			CustomerID: msg.CustomerID, State: Placed, TotalCents: msg.TotalCents, UpdatedAt: msg.PlacedAt,
		}
		err := a.persist(context.Background())
		ctx.Respond(a.snapshot(err))
	case *msgs.OrderEvent:
		err := a.apply(msg)
		if err == nil {
			if msg.Event == "deliver" || msg.Event == "cancel" {
				ctx.Send(a.courier, &msgs.OrderClosed{CourierID: a.rec.CourierID, OrderID: a.orderID})
			}
		}
		ctx.Respond(a.snapshot(err))
	case *msgs.GetOrder:
		ctx.Respond(a.snapshot(nil))
	case *actor.Stopping:
		a.log.Debug("order actor stopping", "state", a.m.Current())
	}
}

func (a *Actor) apply(ev *msgs.OrderEvent) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var args []any
	switch ev.Event {
	case "assign":
		args = []any{ev.CourierID}
	case "pick_up":
		args = []any{ev.OrderID, ev.PIN, ev.PINTTL}
	case "deliver", "cancel":
		args = []any{ev.OrderID, ev.Reason}
	default:
		args = []any{ev.OrderID}
	}
	if err := a.m.Fire(ctx, ev.Event, args...); err != nil {
		return err
	}
	a.rec.State = a.m.Current()
	a.rec.UpdatedAt = time.Now().UTC()
	return a.persist(ctx)
}

func (a *Actor) restore() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw, err := a.kv.Get(ctx, kvstore.Orders, recordKey(a.orderID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return
	}
	if err != nil {
		// Let the supervisor restart us; a half-restored order must not write.
		panic(fmt.Errorf("restore order %s: %w", a.orderID, err))
	}
	if err := json.Unmarshal(raw, &a.rec); err != nil {
		panic(err)
	}
	a.m.Set(a.rec.State)
}

func (a *Actor) persist(ctx context.Context) error {
	raw, err := json.Marshal(a.rec)
	if err != nil {
		return err
	}
	return a.kv.Put(ctx, kvstore.Orders, recordKey(a.orderID), raw) // DEBATABLE kvrace
}

func (a *Actor) snapshot(err error) *msgs.OrderSnapshot {
	s := &msgs.OrderSnapshot{OrderID: a.orderID, State: a.m.Current(), CourierID: a.rec.CourierID}
	if err != nil {
		s.Err = err.Error()
	}
	return s
}

func (a *Actor) addOpenOrder(ctx context.Context, restaurantID, orderID string) error {
	key := openOrdersKey(restaurantID)
	var open []string
	raw, err := a.kv.Get(ctx, kvstore.Orders, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &open); err != nil {
			return err
		}
	}
	if slices.Contains(open, orderID) {
		return nil
	}
	open = append(open, orderID)
	next, _ := json.Marshal(open)
	return a.kv.Put(ctx, kvstore.Orders, key, next) // EXPECT kvrace
}

func (a *Actor) removeOpenOrder(ctx context.Context, restaurantID, orderID string) error {
	key := openOrdersKey(restaurantID)
	raw, err := a.kv.Get(ctx, kvstore.Orders, key)
	if err != nil {
		return nil
	}
	var open []string
	if err := json.Unmarshal(raw, &open); err != nil {
		return err
	}
	open = slices.DeleteFunc(open, func(id string) bool { return id == orderID })
	next, _ := json.Marshal(open)
	return a.kv.Put(ctx, kvstore.Orders, key, next) // EXPECT kvrace
}
