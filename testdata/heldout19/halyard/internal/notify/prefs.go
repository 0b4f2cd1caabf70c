// Package notify stores customers' notification preferences and runs the
// double opt-in and unsubscribe flows for e-mail and SMS updates.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/lru"
	"example.com/halyard/internal/retry"
)

var now = time.Now

// Channel is a delivery channel.
type Channel string

const (
	Email Channel = "email"
	SMS   Channel = "sms"
	Push  Channel = "push"
)

// Prefs are one customer's notification settings.
type Prefs struct {
	Email      bool      `json:"email"`
	SMS        bool      `json:"sms"`
	Push       bool      `json:"push"`
	Exceptions bool      `json:"exceptions_only"`
	Locale     string    `json:"locale"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Defaults apply to customers who never saved preferences.
func Defaults() Prefs { return Prefs{Email: true, Push: true, Locale: "en-US"} }

func (p *Prefs) set(ch Channel, on bool) error {
	switch ch {
	case Email:
		p.Email = on
	case SMS:
		p.SMS = on
	case Push:
		p.Push = on
	default:
		return fmt.Errorf("notify: unknown channel %q", ch)
	}
	return nil
}

type prefsKey struct{ Tenant, Customer string }

func (k prefsKey) String() string { return keys.Render("prefs", k) }

// Service is the preferences service.
type Service struct {
	kv           kvstore.ReadWriter
	cache        *lru.Cache[prefsKey, Prefs]
	resendWindow time.Duration
	smsQuota     int
	signingKey   []byte
}

// NewService wires the service. cacheTTL bounds staleness of the in-process
// cache; resendWindow throttles confirmation e-mails.
func NewService(rw kvstore.ReadWriter, cacheTTL, resendWindow time.Duration, smsQuota int, signingKey []byte) *Service {
	return &Service{
		kv:           rw,
		cache:        lru.New[prefsKey, Prefs](4096, cacheTTL),
		resendWindow: resendWindow,
		smsQuota:     smsQuota,
		signingKey:   signingKey,
	}
}

func (s *Service) load(ctx context.Context, k prefsKey) (Prefs, error) {
	var p Prefs
	err := kvstore.GetJSON(ctx, s.kv, k.String(), &p)
	if kvstore.IsNotFound(err) {
		return Defaults(), nil
	}
	return p, err
}

// Get returns a customer's preferences.
func (s *Service) Get(ctx context.Context, tenant, customer string) (Prefs, error) {
	return s.cache.GetOrLoad(ctx, prefsKey{tenant, customer}, s.load)
}

func (s *Service) save(ctx context.Context, k prefsKey, p Prefs) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, k.String(), b, kvstore.PutOptions{
		Metadata: map[string]bool{"e": p.Email, "s": p.SMS, "p": p.Push},
	})
}

// Replace stores a full set of preferences submitted from the portal form.
func (s *Service) Replace(ctx context.Context, tenant, customer string, p Prefs) error {
	k := prefsKey{tenant, customer}
	p.UpdatedAt = now().UTC()
	if err := s.save(ctx, k, p); err != nil {
		return err
	}
	s.cache.Set(k, p)
	return nil
}

// SetChannel flips one channel on or off, e.g. from an app toggle.
func (s *Service) SetChannel(ctx context.Context, tenant, customer string, ch Channel, on bool) error {
	k := prefsKey{tenant, customer}
	return retry.Do(ctx, 3, func(ctx context.Context) error {
		p, err := s.load(ctx, k)
		if err != nil {
			return err
		}
		if err := p.set(ch, on); err != nil {
			return retry.Stop(err)
		}
		p.UpdatedAt = now().UTC()
		if err := s.save(ctx, k, p); err != nil { // EXPECT kvrace
			return err
		}
		s.cache.Remove(k)
		return nil
	})
}

const maxExportPages = 20

// ExportCSV writes tenant,customer,email,sms,push rows for a tenant from key
// metadata, for the customer-success team.
func (s *Service) ExportCSV(ctx context.Context, tenant string, w io.Writer) error {
	prefix := keys.Render("prefs", prefsKey{Tenant: tenant}) // "notify:prefs:<tenant>:"
	page, err := s.kv.List(ctx, prefix, "", 500)
	for pages := 1; err == nil; pages++ {
		for _, k := range page.Keys {
			_, err := fmt.Fprintf(w, "%s,%s,%v,%v,%v\n", tenant, k.Name[len(prefix):],
				k.Metadata["e"], k.Metadata["s"], k.Metadata["p"])
			if err != nil {
				return err
			}
		}
		if page.Done() {
			return nil
		}
		if pages >= maxExportPages {
			return errors.New("notify: export truncated")
		}
		page, err = s.kv.List(ctx, "", page.Cursor, 500) // EXPECT kvlist
	}
	return err
}
