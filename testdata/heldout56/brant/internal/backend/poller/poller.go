// Package poller drains the backend work queue: receipt e-mails, promo
// expiry and session purges after a password change.
package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"brant/internal/domain"
	"brant/internal/tracing"
	"brant/internal/units"
)

// Job is one unit of work pulled from the queue.
type Job struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Attempts int             `json:"attempts"`
	Payload  json.RawMessage `json:"payload"`
}

// Source is the work queue the poller drains.
type Source interface {
	Pull(ctx context.Context, max int) ([]Job, error)
	Ack(ctx context.Context, id string) error
	Nack(ctx context.Context, id string, delay time.Duration) error
}

// Mailer sends rider e-mails.
type Mailer interface {
	SendReceipt(ctx context.Context, riderID string, r domain.Receipt) error
}

// Settings tune the poller; nil fields take defaults.
type Settings struct {
	Interval  *time.Duration
	BatchSize *int
	MaxTries  *int
}

// Poller pulls jobs every interval and applies them to KV.
type Poller struct {
	src      Source
	store    domain.BlobStore
	mail     Mailer
	interval time.Duration
	batch    int
	maxTries int
	sent     map[string]int
	trips    map[string]int
}

// New builds a poller.
func New(src Source, store domain.BlobStore, mail Mailer, s Settings) *Poller {
	return &Poller{
		src:      src,
		store:    store,
		mail:     mail,
		interval: units.Deref(s.Interval, time.Minute),
		batch:    units.Clamp(units.Deref(s.BatchSize, 100), 1, 500),
		maxTries: units.Deref(s.MaxTries, 5),
		sent:     map[string]int{},
		trips:    map[string]int{},
	}
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			if err := p.tick(ctx, now); err != nil {
				log.Printf("poller: %v", err)
			}
		}
	}
}

func (p *Poller) tick(ctx context.Context, now time.Time) (err error) {
	ctx, end := tracing.Start(ctx, "poller.tick")
	defer end(&err)
	jobs, err := p.src.Pull(ctx, p.batch)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := p.handle(ctx, j); err != nil {
			if j.Attempts+1 >= p.maxTries {
				log.Printf("poller: giving up on %s: %v", j.ID, err)
				_ = p.src.Ack(ctx, j.ID)
				continue
			}
			_ = p.src.Nack(ctx, j.ID, time.Duration(1<<j.Attempts)*10*time.Second)
			continue
		}
		_ = p.src.Ack(ctx, j.ID)
		_ = p.store.Write(ctx, "poller:last_job", []byte(j.ID), domain.WriteOpts{}) // EXPECT kvhotkey
	}
	for city, n := range p.trips {
		key := "tripcount:" + city
		if err := p.store.Write(ctx, key, []byte(strconv.Itoa(n)), domain.WriteOpts{}); err != nil { // EXPECT kvcounter
			return err
		}
	}
	checkpoint, _ := json.Marshal(map[string]any{"at": now.Unix(), "jobs": len(jobs)})
	return p.store.Write(ctx, "poller:checkpoint", checkpoint, domain.WriteOpts{TTL: units.Ptr(24 * time.Hour)})
}

func (p *Poller) handle(ctx context.Context, j Job) error {
	switch j.Kind {
	case "receipt.email":
		var r domain.Receipt
		if err := json.Unmarshal(j.Payload, &r); err != nil {
			return err
		}
		return p.emailReceipt(ctx, r)
	case "trip.ended":
		var ev domain.TripEvent
		if err := json.Unmarshal(j.Payload, &ev); err != nil {
			return err
		}
		p.trips[ev.City]++
		return nil
	case "promo.expire":
		var in struct{ Code string }
		if err := json.Unmarshal(j.Payload, &in); err != nil {
			return err
		}
		return p.expirePromo(ctx, in.Code)
	case "password.changed":
		var in struct {
			RiderID string `json:"rider_id"`
		}
		if err := json.Unmarshal(j.Payload, &in); err != nil {
			return err
		}
		return p.purgeSessions(ctx, in.RiderID)
	default:
		return fmt.Errorf("unknown job kind %q", j.Kind)
	}
}

func (p *Poller) emailReceipt(ctx context.Context, r domain.Receipt) error {
	if p.sent[r.RiderID] >= 20 {
		return nil
	}
	if err := p.mail.SendReceipt(ctx, r.RiderID, r); err != nil {
		return err
	}
	p.sent[r.RiderID]++
	key := "ratelimit:email:" + r.RiderID
	return p.store.Write(ctx, key, []byte(strconv.Itoa(p.sent[r.RiderID])), domain.WriteOpts{TTL: units.Ptr(time.Hour)}) // EXPECT kvcounter
}

// expirePromo marks a promo code as revoked; the record is kept for audits.
func (p *Poller) expirePromo(ctx context.Context, code string) error {
	body, _ := json.Marshal(domain.Redemption{Code: code, Revoked: true})
	return p.store.Write(ctx, "promo_state:"+code, body, domain.WriteOpts{TTL: units.Ptr(30 * 24 * time.Hour)})
}

// purgeSessions signs a rider out everywhere after a password change.
func (p *Poller) purgeSessions(ctx context.Context, rider string) error {
	raw, err := p.store.Read(ctx, "rider_sessions:"+rider)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, p.store.Remove(ctx, domain.KindSession.Key(id))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}
