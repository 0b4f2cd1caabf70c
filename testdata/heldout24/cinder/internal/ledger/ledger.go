// Package ledger mirrors invoices from the billing database into the edge
// namespace so the Worker can serve them without a round trip to origin.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/cinder/internal/cfsync"
	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/policy"
	"example.com/cinder/internal/storage"
)

// ErrQuota is returned when a tenant has used its monthly exports.
var ErrQuota = errors.New("ledger: export quota exhausted")

// Source is the billing database.
type Source interface {
	Tenants(ctx context.Context) ([]domain.Tenant, error)
	InvoicesSince(ctx context.Context, tenant string, since time.Time) ([]domain.Invoice, error)
	InvoiceCount(ctx context.Context, tenant string) (int, error)
}

// reminder is read by the Worker's dunning banner until the invoice is due.
type reminder struct {
	TenantID  string    `json:"tenant_id"`
	InvoiceID string    `json:"invoice_id"`
	Number    string    `json:"number"`
	DueAt     time.Time `json:"due_at"`
}

func (r reminder) StorageKey() string { return "reminder:" + r.TenantID + ":" + r.InvoiceID }

// Syncer copies invoices and maintains the per-tenant index.
type Syncer struct {
	store   *cfsync.Client
	api     *cloudflare.Client
	account string
	ns      string
	src     Source
	clock   clock.Clock
}

// NewSyncer builds a Syncer over the REST store.
func NewSyncer(store *cfsync.Client, src Source, c clock.Clock) *Syncer {
	api, account, ns := store.API()
	return &Syncer{store: store, api: api, account: account, ns: ns, src: src, clock: c}
}

// SyncAll syncs every tenant; registered on the scheduler.
func (s *Syncer) SyncAll(ctx context.Context) error {
	tenants, err := s.src.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		if err := s.EnsureDefaults(ctx, t); err != nil {
			return err
		}
		if err := s.SyncTenant(ctx, t.ID); err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
	}
	return nil
}

// SyncTenant copies invoices changed since the tenant's checkpoint.
func (s *Syncer) SyncTenant(ctx context.Context, tenant string) error {
	checkpoint := "ledger:checkpoint:" + tenant
	var since time.Time
	if b, err := s.store.Get(ctx, checkpoint); err == nil {
		since, _ = time.Parse(time.RFC3339Nano, string(b))
	} else if !storage.IsNotFound(err) {
		return err
	}
	invs, err := s.src.InvoicesSince(ctx, tenant, since)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(invs))
	for _, inv := range invs {
		if err := storage.Save(ctx, s.store, inv, 0); err != nil {
			return err
		}
		ids = append(ids, inv.ID)
		if inv.Status == domain.StatusInvoiceSent && inv.DueAt.After(s.clock.Now()) {
			r := reminder{TenantID: tenant, InvoiceID: inv.ID, Number: inv.Number, DueAt: inv.DueAt}
			if err := storage.Save(ctx, s.store, r, time.Until(inv.DueAt)); err != nil { // EXPECT kvttl
				return err
			}
		}
		if inv.Status == domain.StatusInvoicePaid {
			// Paid invoices stay visible on the receipt page for a grace period.
			grace := max(time.Until(inv.DueAt.Add(7*24*time.Hour)), time.Minute)
			if err := s.store.Put(ctx, "receipt:"+tenant+":"+inv.ID, []byte(inv.Number), storage.WithTTL(grace)); err != nil {
				return err
			}
		}
		mark := []byte(inv.IssuedAt.Format(time.RFC3339Nano))
		if err := s.store.Put(ctx, checkpoint, mark); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if len(ids) > 0 {
		if err := s.addToIndex(ctx, tenant, ids); err != nil {
			return err
		}
	}
	n, err := s.src.InvoiceCount(ctx, tenant)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, "invoice-count:"+tenant, []byte(strconv.Itoa(n))) // DEBATABLE kvcounter
}

func (s *Syncer) getRaw(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Syncer) putRaw(ctx context.Context, key string, value []byte) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// addToIndex appends invoice ids to the tenant's invoice index document.
func (s *Syncer) addToIndex(ctx context.Context, tenant string, ids []string) error {
	key := "invoice-index:" + tenant
	var index []string
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if err := json.Unmarshal(b, &index); err != nil {
			return fmt.Errorf("index %s: %w", tenant, err)
		}
	case !cfsync.IsNotFound(err):
		return err
	}
	index = append(index, ids...)
	out, err := json.Marshal(index)
	if err != nil {
		return err
	}
	_, err = s.api.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(out)),
	})
	return err
}

// EnsureDefaults writes a default configuration for a tenant that has none.
func (s *Syncer) EnsureDefaults(ctx context.Context, t domain.Tenant) error {
	key := domain.TenantConfig{TenantID: t.ID}.StorageKey()
	if _, err := s.getRaw(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	def := domain.TenantConfig{
		TenantID:             t.ID,
		Currency:             "USD",
		FiscalYearStartMonth: 1,
		InvoicePrefix:        "INV-",
		Version:              1,
	}
	b, err := json.Marshal(def)
	if err != nil {
		return err
	}
	return s.putRaw(ctx, key, b)
}

// ChargeExport counts one export against the tenant's monthly quota.
func (s *Syncer) ChargeExport(ctx context.Context, t domain.Tenant) error {
	key := "quota:exports:" + t.ID + ":" + s.clock.Now().Format("2006-01")
	used := 0
	b, err := s.getRaw(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(b))
	case !cfsync.IsNotFound(err):
		return err
	}
	if used >= policy.MonthlyExports[t.Plan] {
		return ErrQuota
	}
	return s.putRaw(ctx, key, []byte(strconv.Itoa(used+1))) // EXPECT kvcounter
}
