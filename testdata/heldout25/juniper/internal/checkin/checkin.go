// Package checkin issues and redeems the codes scanned at the venue door.
package checkin

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Errors returned by Redeem.
var (
	ErrInvalidCode = errors.New("checkin: invalid code")
	ErrWrongEvent  = errors.New("checkin: code belongs to another event")
)

// Desk is the door-side API.
type Desk interface {
	Issue(ctx context.Context, eventID, ticketID, tier string, doorsClose time.Time) (string, error)
	IssueBatch(ctx context.Context, eventID string, tickets map[string]string, doorsClose time.Time) (map[string]string, error)
	Lookup(ctx context.Context, eventID, code string) (domain.CheckinCode, error)
	Redeem(ctx context.Context, eventID, code, gate string) (domain.CheckinCode, error)
}

type desk struct {
	codes store.Store[string, domain.CheckinCode]
	tally store.Store[string, int]
	cfg   config.CheckinConfig
}

var _ Desk = (*desk)(nil)

// NewDesk returns a Desk storing codes in raw.
func NewDesk(raw store.Raw, cfg config.CheckinConfig) Desk {
	return &desk{
		codes: store.NewTyped[string](raw, codec.JSON[domain.CheckinCode]{}, ""),
		tally: store.NewTyped[string](raw, codec.Int{}, ""),
		cfg:   cfg,
	}
}

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

func newCode() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return enc.EncodeToString(b[:])
}

// Issue creates a code valid until the doors close.
func (d *desk) Issue(ctx context.Context, eventID, ticketID, tier string, doorsClose time.Time) (string, error) {
	c := domain.CheckinCode{Code: newCode(), EventID: eventID, TicketID: ticketID, Tier: tier}
	err := d.codes.Put(ctx, keys.CheckinCode(eventID, c.Code), c,
		store.WithTTL(time.Until(doorsClose))) // EXPECT kvttl
	if err != nil {
		return "", fmt.Errorf("checkin: issue: %w", err)
	}
	return c.Code, nil
}

// IssueBatch creates codes for many tickets at once, e.g. after a box-office
// import. Codes live until the doors close plus the grace period, never less
// than a minute.
func (d *desk) IssueBatch(ctx context.Context, eventID string, tickets map[string]string, doorsClose time.Time) (map[string]string, error) {
	out := make(map[string]string, len(tickets))
	ttl := time.Until(doorsClose.Add(d.cfg.Grace))
	if ttl < time.Minute {
		ttl = time.Minute
	}
	for ticketID, tier := range tickets {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		c := domain.CheckinCode{Code: newCode(), EventID: eventID, TicketID: ticketID, Tier: tier}
		if err := d.codes.Put(ctx, keys.CheckinCode(eventID, c.Code), c, store.WithTTL(ttl)); err != nil {
			return out, err
		}
		out[ticketID] = c.Code
	}
	return out, nil
}

// Lookup resolves a code without consuming it (used by the box office).
func (d *desk) Lookup(ctx context.Context, eventID, code string) (domain.CheckinCode, error) {
	c, ok, err := d.codes.Get(ctx, keys.CheckinCode(eventID, strings.TrimSpace(code)))
	if err != nil {
		return domain.CheckinCode{}, err
	}
	if !ok {
		return domain.CheckinCode{}, ErrInvalidCode
	}
	if c.EventID != eventID {
		return domain.CheckinCode{}, ErrWrongEvent
	}
	return c, nil
}

// Redeem admits the holder once: the code is removed so a screenshot of the
// same QR code cannot be used again at another gate.
func (d *desk) Redeem(ctx context.Context, eventID, code, gate string) (domain.CheckinCode, error) {
	c, err := d.Lookup(ctx, eventID, code)
	if err != nil {
		return domain.CheckinCode{}, err
	}
	if err := d.codes.Delete(ctx, keys.CheckinCode(eventID, c.Code)); err != nil { // EXPECT kvsession
		return domain.CheckinCode{}, err
	}
	go func() { _ = d.bumpTally(context.WithoutCancel(ctx), eventID, gate) }()
	return c, nil
}

func (d *desk) bumpTally(ctx context.Context, eventID, gate string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	k := keys.GateTally(eventID, gate)
	n, _, err := d.tally.Get(ctx, k)
	if err != nil {
		return err
	}
	return d.tally.Put(ctx, k, n+1) // EXPECT kvcounter
}
