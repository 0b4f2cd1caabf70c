// Package sla runs the helpdesk's SLA timers. A timer is a KV record that
// expires shortly after its deadline; the sweep job escalates tickets whose
// deadline has passed.
package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/rest"
)

// Timer is a running SLA clock on a ticket.
type Timer struct {
	TicketID string        `json:"ticket_id"`
	Kind     string        `json:"kind"`
	DueAt    time.Time     `json:"due_at"`
	Grace    time.Duration `json:"grace"`
}

// Expiry keeps the record until the grace period after the deadline.
func (t Timer) Expiry() time.Duration { return time.Until(t.DueAt) + t.Grace }

func (t Timer) key() string { return keys.KindSLATimer.Key(t.TicketID, t.Kind) }

// Policy is an organisation's SLA targets.
type Policy struct {
	Name          string        `json:"name"`
	Tier          string        `json:"tier"`
	FirstResponse time.Duration `json:"first_response"`
	Resolution    time.Duration `json:"resolution"`
}

// Service manages timers in the SLA namespace.
type Service struct {
	rest.Base
	cfg   config.SLAConfig
	pager func(ctx context.Context, ticketID string, level int) error
}

// New returns the SLA service. pager is called for each escalation.
func New(cfg config.Config, pager func(ctx context.Context, ticketID string, level int) error) *Service {
	return &Service{
		Base:  rest.Base{NS: rest.SLA, DefaultTTL: 7 * 24 * time.Hour},
		cfg:   cfg.SLA,
		pager: pager,
	}
}

// store writes v, using its own lifetime when it has one.
func (s *Service) store(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ttl := s.DefaultTTL
	if e, ok := v.(interface{ Expiry() time.Duration }); ok {
		ttl = e.Expiry()
	}
	return rest.PutExpiring(ctx, s.NS, key, b, ttl)
}

// ArmResolution starts the resolution clock of a ticket.
func (s *Service) ArmResolution(ctx context.Context, ticketID string, opened time.Time) error {
	t := Timer{TicketID: ticketID, Kind: "resolution", DueAt: opened.Add(s.cfg.Resolution), Grace: s.cfg.Grace}
	return s.store(ctx, t.key(), t)
}

// ArmFirstResponse starts the first-response clock of a ticket.
func (s *Service) ArmFirstResponse(ctx context.Context, ticketID string, opened time.Time) error {
	t := Timer{TicketID: ticketID, Kind: "first_response", DueAt: opened.Add(s.cfg.FirstResponse)}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return rest.Put(ctx, s.NS, t.key(), b, time.Until(t.DueAt)) // EXPECT kvttl
}

// Snooze pauses a ticket's clocks until the customer is expected back.
func (s *Service) Snooze(ctx context.Context, ticketID string, until time.Time) error {
	key := keys.KindSLATimer.Key(ticketID, "snooze")
	return rest.Put(ctx, s.NS, key, []byte(until.UTC().Format(time.RFC3339)), max(time.Until(until), 15*time.Second)) // EXPECT kvttl
}

// Hold records an agent's "waiting on customer" state for at least a day.
func (s *Service) Hold(ctx context.Context, ticketID string, until time.Time) error {
	key := keys.KindSLATimer.Key(ticketID, "hold")
	return rest.Put(ctx, s.NS, key, []byte(until.UTC().Format(time.RFC3339)), max(time.Until(until), 24*time.Hour))
}

// Stop clears a closed ticket's timers.
func (s *Service) Stop(ctx context.Context, ticketID string) error {
	for _, kind := range []string{"first_response", "resolution", "snooze", "hold"} {
		if err := s.Delete(ctx, keys.KindSLATimer.Key(ticketID, kind)); err != nil {
			return err
		}
	}
	return nil
}

// PublishDeadline lets the widget show customers when to expect a reply.
func (s *Service) PublishDeadline(ctx context.Context, t Timer) error {
	_, err := rest.Client.KV.Namespaces.Values.Update(ctx, string(rest.Widget), url.PathEscape(keys.Key("due", t.TicketID)), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(rest.AccountID),
		Value:      cloudflare.F(t.DueAt.UTC().Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(t.DueAt.Add(s.cfg.Grace).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PublishBreachNotice shows the widget's "we're running late" banner for a day.
func (s *Service) PublishBreachNotice(ctx context.Context, ticketID string) error {
	_, err := rest.Client.KV.Namespaces.Values.Update(ctx, string(rest.Widget), url.PathEscape(keys.Key("late", ticketID)), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(rest.AccountID),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(time.Now().Add(24 * time.Hour).Unix())),
	})
	return err
}

// Escalate pages the next level for a breached ticket, once per lock period.
func (s *Service) Escalate(ctx context.Context, ticketID, owner string) error {
	lockKey := keys.KindLock.Key("escalate", ticketID)
	_, err := rest.Get(ctx, s.NS, lockKey)
	if err == nil {
		return &kverr.ConflictError{Key: lockKey}
	}
	if !kverr.IsMiss(err) {
		return err
	}
	if err := rest.PutExpiring(ctx, s.NS, lockKey, []byte(owner), keys.KindLock.TTL()); err != nil { // EXPECT kvrace
		return err
	}
	level, err := s.nextLevel(ctx, ticketID)
	if err != nil {
		return err
	}
	if err := s.pager(ctx, ticketID, level); err != nil {
		return err
	}
	return s.PublishBreachNotice(ctx, ticketID)
}

// nextLevel moves the ticket to its next escalation level.
func (s *Service) nextLevel(ctx context.Context, ticketID string) (int, error) {
	key := keys.Key("escalation-level", ticketID)
	m, err := rest.Lookup(ctx, s.NS, key).Unwrap()
	if err != nil {
		return 0, err
	}
	level := 0
	if raw, ok := m.Get(); ok {
		if level, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("escalation level %s: %w", ticketID, err)
		}
	}
	level++
	return level, s.Put(ctx, key, []byte(strconv.Itoa(level)), 30*24*time.Hour) // EXPECT kvcounter
}

const maxSweepPages = 50

// Sweep escalates every ticket whose timer is past its deadline.
func (s *Service) Sweep(ctx context.Context) error {
	progressKey := keys.Key("sweep", "sla", "progress")
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(keys.KindSLATimer.Prefix() + keys.Sep),
		Limit:     cloudflare.F(float64(s.cfg.SweepBatch)),
	}
	now := time.Now()
	breached := 0
	for page := 0; page < maxSweepPages; page++ {
		res, err := rest.Client.KV.Namespaces.Keys.List(ctx, string(s.NS), params)
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		for _, k := range res.Result {
			parts := strings.Split(k.Name, keys.Sep)
			if len(parts) != 3 || parts[2] == "snooze" || parts[2] == "hold" || k.Expiration == 0 {
				continue
			}
			due := time.Unix(int64(k.Expiration), 0).Add(-s.cfg.Grace)
			if due.After(now) {
				continue
			}
			breached++
			if err := s.Escalate(ctx, parts[1], "sweep"); err != nil && !kverr.IsMiss(err) {
				log.Printf("escalate %s: %v", parts[1], err)
			}
		}
		next := res.ResultInfo.Cursor
		if err := rest.Put(ctx, s.NS, progressKey, []byte(next), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			break
		}
		params.Cursor = cloudflare.F(next)
	}
	day := now.UTC().Format("2006-01-02")
	return s.Put(ctx, keys.Key("stats", "sla", "breach-count", day), []byte(strconv.Itoa(breached)), 90*24*time.Hour) // DEBATABLE kvcounter
}
