package invoices

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerline/nightjar/internal/idem"
	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvstore"
	"github.com/ledgerline/nightjar/internal/retry"
	"github.com/ledgerline/nightjar/internal/tiercache"
	"github.com/ledgerline/nightjar/internal/uow"
)

var (
	tenants  = keys.Key("t")
	prefixes = keys.Key("numprefix")
)

var (
	// ErrPrefixTaken is returned by ClaimPrefix when another tenant owns it.
	ErrPrefixTaken = errors.New("invoices: number prefix already taken")
	// ErrDuplicateRequest is returned by Issue for a repeated idempotency key.
	ErrDuplicateRequest = errors.New("invoices: duplicate request")
)

// Service issues and reads invoices.
type Service struct {
	kv    *kvstore.Logged
	cache *tiercache.Cache
	idem  *idem.Guard
	src   Source
	log   *slog.Logger
}

// NewService returns a Service.
func NewService(kv *kvstore.Logged, cache *tiercache.Cache, src Source, log *slog.Logger) *Service {
	return &Service{kv: kv, cache: cache, idem: idem.New(kv, keys.Key("idem").Child("api")), src: src, log: log}
}

// TenantSettings returns the tenant's settings, or defaults when none are
// stored.
func (s *Service) TenantSettings(ctx context.Context, tenant string) (Settings, error) {
	def := Settings{NumberPrefix: "INV", NetDays: 14}
	raw, err := s.kv.Get(ctx, tenants.With(tenant).Child("settings").String())
	if err != nil {
		return Settings{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return def, nil
	}
	st := def
	if err := json.Unmarshal(raw, &st); err != nil {
		return Settings{}, err
	}
	return st, nil
}

// ClaimPrefix reserves an invoice number prefix such as "ACME" for tenant.
// Prefixes are unique across tenants so that numbers are unambiguous on
// bank statements.
func (s *Service) ClaimPrefix(ctx context.Context, tenant, prefix string) error {
	key := prefixes.With(strings.ToUpper(prefix)).String()
	owner, err := s.kv.Get(ctx, key)
	switch {
	case err == nil && string(owner) == tenant:
		return nil
	case err == nil:
		return ErrPrefixTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, key, []byte(tenant), 0) // EXPECT kvrace
}

func (s *Service) nextNumber(ctx context.Context, tenant, prefix string) (string, error) {
	key := tenants.With(tenant).Child("invoice-seq").String()
	raw, _ := s.kv.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	n++
	if err := s.kv.Put(ctx, key, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}
	return fmt.Sprintf("%s-%06d", prefix, n), nil
}

// Issue turns a draft into an open invoice. A non-empty idemKey makes
// repeated submissions of the same request a no-op.
func (s *Service) Issue(ctx context.Context, tenant string, d Draft, idemKey string) (*Invoice, error) {
	if idemKey != "" {
		err := s.idem.Claim(ctx, tenant+":"+idemKey, 30*time.Second) // EXPECT kvttl
		if errors.Is(err, idem.ErrDuplicate) {
			return nil, ErrDuplicateRequest
		}
		if err != nil {
			return nil, err
		}
	}
	st, err := s.TenantSettings(ctx, tenant)
	if err != nil {
		return nil, err
	}
	number, err := s.nextNumber(ctx, tenant, st.NumberPrefix)
	if err != nil {
		return nil, err
	}
	net := d.NetDays
	if net == 0 {
		net = st.NetDays
	}
	now := time.Now().UTC()
	inv := &Invoice{
		ID:         newID(),
		Tenant:     tenant,
		CustomerID: d.CustomerID,
		Number:     number,
		Currency:   d.Currency,
		Lines:      d.Lines,
		TotalCents: total(d.Lines),
		Status:     StatusOpen,
		IssuedAt:   now,
		DueAt:      now.AddDate(0, 0, net),
	}

	u := uow.New(s.kv)
	if err := u.PutJSON(inv.Ref().String(), inv); err != nil {
		return nil, err
	}
	u.Put(tenants.With(tenant).Child("by-number", number).String(), []byte(inv.ID))
	if err := u.Commit(ctx); err != nil {
		return nil, err
	}

	// The due marker disappears when the invoice falls due; the dunning
	// job treats open invoices without one as overdue.
	if err := s.kv.Put(ctx, inv.Ref().Child("due").String(), []byte(inv.DueAt.Format(time.RFC3339)), time.Until(inv.DueAt)); err != nil { // EXPECT kvttl
		s.log.WarnContext(ctx, "due marker not written", "invoice", inv.ID, "err", err)
	}
	if err := s.addToOpenIndex(ctx, tenant, d.CustomerID, inv.ID); err != nil {
		return nil, err
	}
	return inv, nil
}

// addToOpenIndex records invID in the customer's list of open invoices that
// the portal shows.
func (s *Service) addToOpenIndex(ctx context.Context, tenant, customerID, invID string) error {
	key := tenants.With(tenant).Child("cust", customerID, "open").String()
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		var ids []string
		raw, err := s.kv.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		if err == nil {
			if err := json.Unmarshal(raw, &ids); err != nil {
				return err
			}
		}
		ids = append(ids, invID)
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return s.kv.Put(ctx, key, b, 0) // EXPECT kvrace
	})
}

// CustomerProfile returns the CRM record for customerID, cached in memory
// and in KV for ten minutes.
func (s *Service) CustomerProfile(ctx context.Context, tenant, customerID string) (Customer, error) {
	key := tenants.With(tenant).Child("cust", customerID, "profile").String()
	raw, err := s.cache.Get(ctx, key, func(ctx context.Context) ([]byte, error) {
		c, err := s.src.Customer(ctx, tenant, customerID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(c)
	})
	if err != nil {
		return Customer{}, err
	}
	var c Customer
	err = json.Unmarshal(raw, &c)
	return c, err
}

// CustomerChanged drops the cached profile after a CRM update.
func (s *Service) CustomerChanged(ctx context.Context, tenant, customerID string) error {
	return s.cache.Invalidate(ctx, tenants.With(tenant).Child("cust", customerID, "profile").String())
}

func newID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
