// Package sends hands due scheduled sends to the mail provider in batches.
package sends

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/ledger"
	"example.com/quill/internal/storage"
)

var now = time.Now

// Send statuses.
const (
	StatusScheduled = "scheduled"
	StatusSent      = "sent"
)

// ErrTooSoon is returned when a send is scheduled less than five minutes ahead.
var ErrTooSoon = errors.New("sends: schedule at least five minutes ahead")

// Send is a scheduled send of one issue.
type Send struct {
	Tenant    string    `json:"tenant"`
	Issue     int       `json:"issue"`
	At        time.Time `json:"at"`
	Status    string    `json:"status"`
	Delivered int       `json:"delivered"`
	Finished  time.Time `json:"finished,omitzero"`
}

// Progress is published while a send runs so the dashboard can show it.
type Progress struct {
	Batch   int       `json:"batch"`
	Batches int       `json:"batches"`
	Updated time.Time `json:"updated"`
}

// Recipients yields the confirmed subscribers of a tenant.
type Recipients interface {
	Confirmed(ctx context.Context, tenant string) ([]string, error)
}

// Dispatcher hands a batch of recipients to the mail provider.
type Dispatcher interface {
	Deliver(ctx context.Context, tenant string, issue int, to []string) error
}

// Scheduler owns scheduled sends for all tenants.
type Scheduler struct {
	router     *storage.Router
	ledger     ledger.Ledger
	recipients Recipients
	dispatch   Dispatcher
	cf         *cloudflare.Client
	accountID  string
}

// NewScheduler wires a Scheduler.
func NewScheduler(router *storage.Router, l ledger.Ledger, r Recipients, d Dispatcher, cf *cloudflare.Client, accountID string) *Scheduler {
	return &Scheduler{router: router, ledger: l, recipients: r, dispatch: d, cf: cf, accountID: accountID}
}

// Schedule queues an issue to go out at at.
func (s *Scheduler) Schedule(ctx context.Context, tenant string, issue int, at time.Time, namespaceID string) error {
	if at.Before(now().Add(5 * time.Minute)) {
		return ErrTooSoon
	}
	rw := s.router.For(tenant)
	send := Send{Tenant: tenant, Issue: issue, At: at.UTC(), Status: StatusScheduled}
	opts := storage.PutOptions{
		ExpiresAt: at.Add(14 * 24 * time.Hour),
		Metadata:  map[string]any{"at": at.Unix(), "status": StatusScheduled},
	}
	if err := storage.PutJSON(ctx, rw, keys.Send(tenant, issue), send, opts); err != nil {
		return err
	}
	return s.freeze(ctx, namespaceID, tenant, issue, at)
}

// freeze marks the issue read-only in the editor until its send starts.
func (s *Scheduler) freeze(ctx context.Context, namespaceID, tenant string, issue int, at time.Time) error {
	key := keys.Join("freeze", tenant, strconv.Itoa(issue))
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(at.UTC().Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(at.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Tick runs once per cron invocation for every tenant.
func (s *Scheduler) Tick(ctx context.Context) error {
	var errs []error
	for _, tenant := range s.router.Tenants() {
		if err := s.tickTenant(ctx, tenant); err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", tenant, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Scheduler) tickTenant(ctx context.Context, tenant string) error {
	rw := s.router.For(tenant)
	cursor := ""
	raw, err := rw.Get(ctx, keys.SendCursor)
	switch {
	case err == nil:
		cursor = string(raw)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	prefix := keys.Join("send", tenant) + ":"
	page, err := rw.List(ctx, storage.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		issue, err := strconv.Atoi(strings.TrimPrefix(k.Name, prefix))
		at, _ := k.Metadata["at"].(float64)
		status, _ := k.Metadata["status"].(string)
		if err != nil || status != StatusScheduled || time.Unix(int64(at), 0).After(now()) {
			continue
		}
		send := Send{Tenant: tenant, Issue: issue, At: time.Unix(int64(at), 0).UTC(), Status: status}
		if err := s.run(ctx, rw, send); err != nil {
			log.Printf("sends: %s issue %d: %v", tenant, send.Issue, err)
		}
	}
	next := ""
	if !page.Complete {
		next = page.Cursor
	}
	if err := rw.Put(ctx, keys.SendCursor, []byte(next), storage.PutOptions{}); err != nil {
		return err
	}
	n, err := s.ledger.CountSubscribers(ctx, tenant)
	if err != nil {
		return err
	}
	return rw.Put(ctx, keys.SubscriberCount, []byte(strconv.FormatInt(n, 10)), storage.PutOptions{}) // DEBATABLE kvcounter
}

func (s *Scheduler) run(ctx context.Context, rw storage.ReadWriter, send Send) error {
	to, err := s.recipients.Confirmed(ctx, send.Tenant)
	if err != nil {
		return err
	}
	size := max(config.Current().SendBatchSize, 1)
	batches := (len(to) + size - 1) / size
	progKey := keys.SendProgress(send.Tenant, send.Issue)
	delivered := 0
	for b := 0; b < batches; b++ {
		chunk := to[b*size : min((b+1)*size, len(to))]
		if err := s.dispatch.Deliver(ctx, send.Tenant, send.Issue, chunk); err != nil {
			return fmt.Errorf("batch %d/%d: %w", b+1, batches, err)
		}
		delivered += len(chunk)
		prog := Progress{Batch: b + 1, Batches: batches, Updated: now().UTC()}
		if err := storage.PutJSON(ctx, rw, progKey, prog, storage.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			log.Printf("sends: progress: %v", err)
		}
	}
	opts := storage.PutOptions{
		ExpiresAt: send.At.Add(14 * 24 * time.Hour),
		Metadata:  map[string]any{"at": send.At.Unix(), "status": StatusSent},
	}
	return storage.Update(ctx, rw, keys.Send(send.Tenant, send.Issue), opts, func(cur *Send) error {
		cur.Status = StatusSent
		cur.Delivered = delivered
		cur.Finished = now().UTC()
		return nil
	})
}
