// Package fines records penalty charge notices and their appeals in the back
// office. Fines live in their district's namespace; appeals, reminders and
// notices in a shared appeals namespace; plate histories on the shards.
package fines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/kvstore/cfrest"
	"example.com/smew/internal/routing"
)

// Status of a fine.
const (
	StatusOpen = "open"
	StatusPaid = "paid"
	StatusVoid = "void"
)

// ErrNotFound is returned for an unknown fine.
var ErrNotFound = errors.New("fines: no such fine")

var (
	discountPeriod = kvstore.MustDuration("336h")
	noticeTTL      = kvstore.MustDuration("2160h")
)

// Fine is one penalty charge notice.
type Fine struct {
	ID          string    `json:"id"`
	Plate       string    `json:"plate"`
	District    string    `json:"district"`
	AmountCents int       `json:"amount_cents"`
	Status      string    `json:"status"`
	IssuedAt    time.Time `json:"issued_at"`
	DueAt       time.Time `json:"due_at"`
	ViewedAt    time.Time `json:"viewed_at,omitzero"`
	PaidAt      time.Time `json:"paid_at,omitzero"`
	PaymentRef  string    `json:"payment_ref,omitempty"`
	ArchivedAt  time.Time `json:"archived_at,omitzero"`
}

// Config holds the namespaces and timings the service needs.
type Config struct {
	AccountID     string
	AppealsNS     string
	ArchiveNS     string
	ConfirmWindow time.Duration // how long the card processor may take to confirm
}

// Service talks to KV through the REST API directly.
type Service struct {
	kv     *kv.NamespaceService
	cfg    Config
	routes *routing.Table
	log    *slog.Logger
}

// New returns a fines service.
func New(client *cloudflare.Client, cfg Config, routes *routing.Table, log *slog.Logger) *Service {
	return &Service{kv: client.KV.Namespaces, cfg: cfg, routes: routes, log: log}
}

func (s *Service) account() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.cfg.AccountID)}
}

// get reads one value; a missing key is reported as an empty Optional.
func (s *Service) get(ctx context.Context, ns, key string) (kvstore.Optional[[]byte], error) {
	resp, err := s.kv.Values.Get(ctx, ns, key, s.account())
	if cfrest.IsNotFound(err) {
		return kvstore.None[[]byte](), nil
	}
	if err != nil {
		return kvstore.None[[]byte](), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return kvstore.Some(b), err
}

// put writes one value; ttl is in seconds, zero for no expiry.
func (s *Service) put(ctx context.Context, ns, key string, value []byte, ttl float64) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.cfg.AccountID), Value: cloudflare.F(string(value))}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl)
	}
	_, err := s.kv.Values.Update(ctx, ns, key, params)
	return err
}

func fineKey(id string) string { return "fine:" + id }

// Load returns a fine.
func (s *Service) Load(ctx context.Context, district, id string) (kvstore.Optional[Fine], error) {
	opt, err := s.get(ctx, s.routes.District(district), fineKey(id))
	if err != nil || !opt.Found {
		return kvstore.None[Fine](), err
	}
	var f Fine
	err = json.Unmarshal(opt.Value, &f)
	return kvstore.Some(f), err
}

// Pay marks a fine as paid with the processor's reference.
func (s *Service) Pay(ctx context.Context, district, id, ref string) (Fine, error) {
	opt, err := s.Load(ctx, district, id)
	if err != nil {
		return Fine{}, err
	}
	if !opt.Found {
		return Fine{}, ErrNotFound
	}
	f := opt.Value
	if f.Status == StatusPaid {
		return f, nil
	}
	f.Status, f.PaidAt, f.PaymentRef = StatusPaid, time.Now().UTC(), ref
	b, _ := json.Marshal(f)
	if err := s.put(ctx, s.routes.District(district), fineKey(id), b, 0); err != nil { // EXPECT kvrace
		return Fine{}, err
	}
	return f, nil
}

// Show returns a fine for the resident portal and records when the notice
// was first viewed, which starts the statutory appeal period.
func (s *Service) Show(ctx context.Context, district, id string) (Fine, error) {
	ns, key := s.routes.District(district), fineKey(id)
	opt, err := s.get(ctx, ns, key)
	if err != nil {
		return Fine{}, err
	}
	if !opt.Found {
		return Fine{}, ErrNotFound
	}
	var f Fine
	if err := json.Unmarshal(opt.Value, &f); err != nil {
		return Fine{}, err
	}
	if f.ViewedAt.IsZero() {
		defer func() {
			f.ViewedAt = time.Now().UTC()
			b, _ := json.Marshal(f)
			if err := s.put(ctx, ns, key, b, 0); err != nil { // EXPECT kvrace
				s.log.Warn("stamp fine viewed", "fine", id, "err", err)
			}
		}()
	}
	return f, nil
}

// Archive moves a settled fine from its district into the archive
// namespace.
func (s *Service) Archive(ctx context.Context, district, id string) error {
	ns, key := s.routes.District(district), fineKey(id)
	opt, err := s.get(ctx, ns, key)
	if err != nil || !opt.Found {
		return err
	}
	var f Fine
	if err := json.Unmarshal(opt.Value, &f); err != nil {
		return err
	}
	if f.Status != StatusPaid && f.Status != StatusVoid {
		return fmt.Errorf("fines: %s is %s, not settled", id, f.Status)
	}
	f.ArchivedAt = time.Now().UTC()
	b, _ := json.Marshal(f)
	if err := s.put(ctx, s.cfg.ArchiveNS, key, b, 0); err != nil {
		return err
	}
	_, err = s.kv.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.cfg.AccountID)})
	return err
}

// PriorOffences returns the ids of earlier fines for a plate, used for the
// repeat-offender surcharge.
func (s *Service) PriorOffences(ctx context.Context, plate string) ([]string, error) {
	resp, err := s.kv.Values.Get(ctx, s.routes.Shard(plate), "history:"+plate, s.account())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var ids []string
	if len(raw) > 0 { // EXPECT kvnull
		err = json.Unmarshal(raw, &ids)
	}
	return ids, err
}

// PublishDiscountWindow writes the public "pay by" marker, which disappears
// when the early-payment discount ends.
func (s *Service) PublishDiscountWindow(ctx context.Context, f Fine) error {
	deadline := f.IssuedAt.Add(discountPeriod)
	_, err := s.kv.Values.Update(ctx, s.routes.District(f.District), "discount:"+f.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.cfg.AccountID),
		Value:      cloudflare.F(deadline.Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(deadline.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PublishPaymentReminder keeps a reminder marker until the fine is due, and
// at least an hour.
func (s *Service) PublishPaymentReminder(ctx context.Context, f Fine) error {
	ttl := max(time.Until(f.DueAt), time.Hour)
	return s.put(ctx, s.routes.District(f.District), "reminder:pay:"+f.ID, []byte(f.DueAt.Format(time.RFC3339)), ttl.Seconds())
}

// HoldCheckout marks a fine as being paid so a second browser tab cannot
// start another card payment while the processor confirms the first.
func (s *Service) HoldCheckout(ctx context.Context, f Fine, session string) error {
	hold := max(2*s.cfg.ConfirmWindow, 10*time.Second)
	_, err := s.kv.Values.Update(ctx, s.routes.District(f.District), "checkout:"+f.ID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.cfg.AccountID),
		Value:         cloudflare.F(session),
		ExpirationTTL: cloudflare.F(hold.Seconds()), // EXPECT kvttl
	})
	return err
}

// PublishNotice writes the notice the resident portal renders. The portal's
// list view reads the plate and the appeal-rights text from the metadata.
func (s *Service) PublishNotice(ctx context.Context, f Fine, html string) error {
	_, err := s.kv.Values.Update(ctx, s.cfg.AppealsNS, "notice:"+f.ID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.cfg.AccountID),
		Value:         cloudflare.F(html),
		ExpirationTTL: cloudflare.F(noticeTTL.Seconds()),
		Metadata:      cloudflare.F[any](map[string]string{"plate": f.Plate, "rights": appealRightsNotice}), // EXPECT kvlimits
	})
	return err
}
