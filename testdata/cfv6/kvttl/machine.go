package kvttl

import (
	"context"
	"time"
)

// A hold kept by a state machine: each state sets the lifetime in a field
// of the machine, and the same state passes the field to the put.
type hold struct {
	s    *store
	key  string
	ttl  time.Duration
	soak time.Duration
}

// Counted down to a deadline, then lowered to the soak time: nothing keeps
// it at a minute, and the countdown is where it goes wrong.
func (h *hold) untilDeadline(ctx context.Context, deadline time.Time) error {
	h.ttl = time.Until(deadline) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
	if h.soak > 0 && h.soak < h.ttl {
		h.ttl = h.soak
	}
	return putFor(ctx, h.s.client, h.key, "held", h.ttl)
}

// Raised to a minute in place after the countdown.
func (h *hold) untilDeadlineFloored(ctx context.Context, deadline time.Time) error {
	h.ttl = time.Until(deadline)
	if h.ttl < time.Minute {
		h.ttl = time.Minute
	}
	return putFor(ctx, h.s.client, h.key, "held", h.ttl)
}

// A constant set just before the put: reported where it is set.
func (h *hold) brief(ctx context.Context) error {
	h.ttl = 30 * time.Second // want `ExpirationTTL 30 \(passed to putFor\) is below`
	return putFor(ctx, h.s.client, h.key, "brief", h.ttl)
}

// Long enough, and lowered to a value that is long enough too.
func (h *hold) long(ctx context.Context, short bool) error {
	h.ttl = time.Hour
	if short {
		h.ttl = 5 * time.Minute
	}
	return putFor(ctx, h.s.client, h.key, "long", h.ttl)
}

// Set on one branch only: what the field held before is the caller's.
func (h *hold) maybe(ctx context.Context, deadline time.Time, set bool) error {
	if set {
		h.ttl = 2 * time.Minute
	}
	return putFor(ctx, h.s.client, h.key, "maybe", h.ttl)
}

// A lifetime kept in a field that a method may only lower: a cap is no
// floor, so the 30 s the constructor stores is still what the put takes.
type capped struct {
	s   *store
	ttl time.Duration
}

func newCapped(s *store) *capped {
	return &capped{s: s, ttl: 30 * time.Second} // want `ExpirationTTL 30 \(kept in capped.ttl, which a later put reads\) is below`
}

func (c *capped) limit(most time.Duration) {
	if most < c.ttl {
		c.ttl = most
	}
}

func (c *capped) put(ctx context.Context, key string) error {
	return putFor(ctx, c.s.client, key, "capped", c.ttl)
}

// Raised in place: quiet.
type raised struct {
	s   *store
	ttl time.Duration
}

func newRaised(s *store) *raised {
	r := &raised{s: s, ttl: 30 * time.Second}
	if r.ttl < time.Minute {
		r.ttl = time.Minute
	}
	return r
}

func (r *raised) put(ctx context.Context, key string) error {
	return putFor(ctx, r.s.client, key, "raised", r.ttl)
}

// Messages that carry a lifetime to an actor, which the library delivers:
// the only link between the sender and the put is the field.
type startShift struct {
	courier string
	ttl     time.Duration
}

type receiver interface {
	Receive(ctx context.Context, msg any)
}

type shiftActor struct{ s *store }

func (a *shiftActor) Receive(ctx context.Context, msg any) {
	switch m := msg.(type) {
	case *startShift:
		_ = putFor(ctx, a.s.client, "shift:"+m.courier, "open", m.ttl)
	}
}

// Counted down to the shift's end: a shift that ends within the minute
// makes a put that KV refuses.
func startRostered(ctx context.Context, r receiver, courier string, ends time.Time) {
	r.Receive(ctx, &startShift{courier: courier, ttl: time.Until(ends)}) // want `ExpirationTTL \(kept in startShift.ttl, which a later put reads\) is counted down to a moment`
}

// Quiet: kept at a minute or more where it is sent.
func startClamped(ctx context.Context, r receiver, courier string, ends time.Time) {
	r.Receive(ctx, &startShift{courier: courier, ttl: max(time.Until(ends), time.Minute)})
}

// Quiet: counted down to a moment two hours from now.
func startFresh(ctx context.Context, r receiver, courier string) {
	ends := time.Now().Add(2 * time.Hour)
	r.Receive(ctx, &startShift{courier: courier, ttl: time.Until(ends)})
}

// State functions that share the machine's fields: one state sets the
// lifetime and puts; another puts with whatever an earlier state set. The
// 30 s is one finding, where it is set.
type pairing struct {
	s   *store
	key string
	ttl time.Duration
}

type pairingState func(ctx context.Context, p *pairing) pairingState

func storeCode(ctx context.Context, p *pairing) pairingState {
	if err := putFor(ctx, p.s.client, p.key, "code", p.ttl); err != nil {
		return nil
	}
	return announce
}

func announce(ctx context.Context, p *pairing) pairingState {
	p.key = "pair/pending"
	p.ttl = 30 * time.Second // want `ExpirationTTL 30 \(passed to putFor\) is below`
	if err := putFor(ctx, p.s.client, p.key, "pending", p.ttl); err != nil {
		return nil
	}
	return nil
}

func runPairing(ctx context.Context, p *pairing) {
	for state := pairingState(storeCode); state != nil; {
		state = state(ctx, p)
	}
}
