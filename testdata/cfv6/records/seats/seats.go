// Package seats keeps seat records that carry their store as a port
// beside a clock port. The finder is made in the same expression that
// finds (NewSeats(kv, clk).Find), and one save runs in a retry closure:
// the record's store is the finder's, which is the one passed in.
package seats

import (
	"context"
	"encoding/json"
	"time"
)

type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, v []byte) error
}

type Clock interface{ Now() time.Time }

type Seat struct {
	ID      string
	Holders []string
	Since   time.Time
	kv      KV
	clock   Clock
}

type Seats struct {
	kv    KV
	clock Clock
}

func NewSeats(kv KV, clk Clock) *Seats { return &Seats{kv: kv, clock: clk} }

func (r *Seats) Find(ctx context.Context, id string) (*Seat, error) {
	s := &Seat{ID: id, kv: r.kv, clock: r.clock}
	raw, err := s.kv.Get(ctx, "seat:"+s.ID)
	if err != nil {
		return nil, err
	}
	return s, json.Unmarshal(raw, s)
}

func (s *Seat) Save(ctx context.Context) error {
	s.Since = s.clock.Now()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, "seat:"+s.ID, b)
}

func retry(ctx context.Context, f func(context.Context) error) error {
	var err error
	for range 3 {
		if err = f(ctx); err == nil {
			return nil
		}
	}
	return err
}

func Claim(ctx context.Context, kv KV, clk Clock, id, who string) error {
	seat, err := NewSeats(kv, clk).Find(ctx, id)
	if err != nil {
		return err
	}
	seat.Holders = append(seat.Holders, who)
	return retry(ctx, func(ctx context.Context) error { return seat.Save(ctx) }) // want `read-modify-write on one KV key`
}

func Release(ctx context.Context, kv KV, clk Clock, id string) error {
	seat, err := NewSeats(kv, clk).Find(ctx, id)
	if err != nil {
		return err
	}
	seat.Holders = nil
	return seat.Save(ctx) // want `read-modify-write on one KV key`
}

// Quiet: the seat is read from one namespace and copied into another.
func Move(ctx context.Context, from, to KV, clk Clock, id string) error {
	seat, err := NewSeats(from, clk).Find(ctx, id)
	if err != nil {
		return err
	}
	moved := &Seat{ID: seat.ID, Holders: seat.Holders, kv: to, clock: clk}
	return moved.Save(ctx)
}
