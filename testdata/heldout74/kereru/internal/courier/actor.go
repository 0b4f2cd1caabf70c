// Package courier runs one actor per courier on shift. The actor keeps the
// courier's session, shift and active-order count in its fields and mirrors
// them into KV, where the edge Worker reads them.
package courier

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// Session is what the edge Worker checks on every location ping.
type Session struct {
	SessionID string    `json:"sid"`
	CourierID string    `json:"courier_id"`
	ZoneID    string    `json:"zone_id"`
	Expires   time.Time `json:"expires"`
}

// Shift is the courier's current shift record.
type Shift struct {
	CourierID string      `json:"courier_id"`
	ZoneID    string      `json:"zone_id"`
	Started   time.Time   `json:"started"`
	Ends      time.Time   `json:"ends"`
	Breaks    []BreakSpan `json:"breaks,omitempty"`
}

// BreakSpan is one break inside a shift.
type BreakSpan struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// TakeBreak records a break in the courier's shift.
type TakeBreak struct {
	CourierID string
	From, To  time.Time
}

func sessionKey(courierID, sid string) string {
	return fmt.Sprintf("session:courier:%s:%s", courierID, sid)
}
func shiftKey(courierID string) string  { return "courier:" + courierID + ":shift" }
func locKey(courierID string) string    { return "courier:" + courierID + ":loc" }
func activeKey(courierID string) string { return "courier:" + courierID + ":active_orders" }

// Actor is one courier.
type Actor struct {
	kv        *kvstore.Client
	courierID string
	session   *Session
	sessTTL   time.Duration
	shift     Shift
	active    int
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	bg, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.loadShift(bg)
	case *msgs.StartShift:
		sid, err := a.openSession(bg, msg)
		ctx.Respond(&msgs.ShiftStarted{SessionID: sid, Err: err})
	case *msgs.PingBatch:
		if err := a.recordPings(bg, msg.Pings); err != nil {
			ctx.Logger().Warn("pings not stored", "courier", a.courierID, "err", err)
		}
	case *msgs.OrderAssigned:
		a.active++
		a.flushActive(bg)
	case *msgs.OrderClosed:
		a.active = max(a.active-1, 0)
		a.flushActive(bg)
	case *TakeBreak:
		ctx.Respond(a.addBreak(bg, msg))
	case *msgs.EndShift:
		ctx.Respond(a.closeSession(bg, msg.SessionID))
		ctx.Stop(ctx.Self())
	}
}

// loadShift restores the shift the courier was on before a restart.
func (a *Actor) loadShift(ctx context.Context) {
	raw, err := a.kv.Get(ctx, kvstore.Couriers, shiftKey(a.courierID)) // EXPECT kvnull
	if err != nil {
		a.shift = Shift{CourierID: a.courierID, Started: time.Now().UTC()}
		fresh, _ := json.Marshal(a.shift)
		_ = a.kv.Put(ctx, kvstore.Couriers, shiftKey(a.courierID), fresh)
		return
	}
	_ = json.Unmarshal(raw, &a.shift)
	if n, err := a.kv.Get(ctx, kvstore.Couriers, activeKey(a.courierID)); err == nil {
		a.active, _ = strconv.Atoi(string(n))
	}
}

func (a *Actor) openSession(ctx context.Context, msg *msgs.StartShift) (string, error) {
	sid := rand.Text()
	a.sessTTL = msg.SessionTTL
	a.session = &Session{SessionID: sid, CourierID: a.courierID, ZoneID: msg.ZoneID, Expires: time.Now().Add(msg.SessionTTL)}
	raw, err := json.Marshal(a.session)
	if err != nil {
		return "", err
	}
	if err := a.kv.PutTTL(ctx, kvstore.Sessions, sessionKey(a.courierID, sid), raw, msg.SessionTTL); err != nil {
		return "", err
	}
	a.shift = Shift{CourierID: a.courierID, ZoneID: msg.ZoneID, Started: time.Now().UTC(), Ends: msg.ShiftEnds}
	shift, _ := json.Marshal(a.shift)
	return sid, a.kv.PutUntil(ctx, kvstore.Couriers, shiftKey(a.courierID), shift, msg.ShiftEnds.Add(2*time.Hour))
}

func (a *Actor) recordPings(ctx context.Context, pings []msgs.LocationPing) error {
	for _, p := range pings {
		raw, _ := json.Marshal(p)
		if err := a.kv.PutCached(ctx, kvstore.Couriers, locKey(a.courierID), raw, 5*time.Minute); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if a.session == nil {
		return nil
	}
	// Sliding expiry: an active courier keeps the session alive.
	a.session.Expires = time.Now().Add(a.sessTTL)
	raw, _ := json.Marshal(a.session)
	return a.kv.PutTTL(ctx, kvstore.Sessions, sessionKey(a.courierID, a.session.SessionID), raw, a.sessTTL) // EXPECT kvsession
}

func (a *Actor) flushActive(ctx context.Context) {
	if err := a.kv.Put(ctx, kvstore.Couriers, activeKey(a.courierID), []byte(strconv.Itoa(a.active))); err != nil { // EXPECT kvcounter
		slog.Warn("active count not stored", "courier", a.courierID, "err", err)
	}
}

func (a *Actor) addBreak(ctx context.Context, msg *TakeBreak) error {
	raw, err := a.kv.Get(ctx, kvstore.Couriers, shiftKey(msg.CourierID))
	if err != nil {
		return err
	}
	var s Shift
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	s.Breaks = append(s.Breaks, BreakSpan{From: msg.From, To: msg.To})
	next, _ := json.Marshal(s)
	return a.kv.Put(ctx, kvstore.Couriers, shiftKey(msg.CourierID), next) // EXPECT kvrace
}

func (a *Actor) closeSession(ctx context.Context, sid string) error {
	if sid == "" && a.session != nil {
		sid = a.session.SessionID
	}
	a.session = nil
	errs := []error{
		a.kv.Delete(ctx, kvstore.Sessions, sessionKey(a.courierID, sid)), // EXPECT kvsession
		a.kv.Delete(ctx, kvstore.Couriers, locKey(a.courierID)),
	}
	return errors.Join(errs...)
}
