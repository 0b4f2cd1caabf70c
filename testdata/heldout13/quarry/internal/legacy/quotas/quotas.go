// Package quotas is the storage quota ledger inherited from the v1 uploader.
// It still uses the older SDK because the v1 uploader reads the same keys and
// the value format must not change until that uploader is retired.
package quotas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/quarry/internal/config"
)

const (
	quotaPrefix     = "quota:"
	retentionPrefix = "retention:"
	maxListPages    = 25
	purgeBatch      = 12000
)

// ErrOverQuota is returned when a charge would exceed the org's allowance.
var ErrOverQuota = errors.New("quotas: storage quota exceeded")

// Ledger tracks storage use per organisation.
type Ledger struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	limit     int64
	log       *slog.Logger
}

// NewLedger returns a Ledger on the legacy namespace.
func NewLedger(cfg *config.Config, log *slog.Logger) *Ledger {
	return &Ledger{
		client:    cloudflare.NewClient(option.WithAPIToken(cfg.APIToken)),
		accountID: cfg.AccountID,
		nsID:      cfg.Namespaces.Legacy,
		limit:     cfg.Limits.MaxUploadBytes * 200,
		log:       log,
	}
}

// ledgerMeta marks entries written by this service for the v1 uploader.
const ledgerMeta = `{"writer":"quarry","format":"v1"}`

func (l *Ledger) put(ctx context.Context, key, value string) error {
	_, err := l.client.KV.Namespaces.Values.Update(ctx, l.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.accountID),
		Metadata:  cloudflare.F(ledgerMeta),
		Value:     cloudflare.F(value),
	})
	return err
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Used returns the bytes charged to org.
func (l *Ledger) Used(ctx context.Context, org string) (int64, error) {
	val, _ := l.client.KV.Namespaces.Values.Get(ctx, l.nsID, quotaPrefix+org, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(l.accountID),
	})
	return strconv.ParseInt(strings.TrimSpace(*val), 10, 64)
}

// Charge adds n bytes to org's usage, refusing when the quota would be exceeded.
func (l *Ledger) Charge(ctx context.Context, org string, n int64) error {
	var used int64
	val, err := l.client.KV.Namespaces.Values.Get(ctx, l.nsID, quotaPrefix+org, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	switch {
	case err == nil && val != nil:
		used, err = strconv.ParseInt(strings.TrimSpace(*val), 10, 64)
		if err != nil {
			return fmt.Errorf("quotas: corrupt ledger entry for %s: %w", org, err)
		}
	case err != nil && !isMissing(err):
		return err
	}
	if used+n > l.limit {
		return ErrOverQuota
	}
	return l.put(ctx, quotaPrefix+org, strconv.FormatInt(used+n, 10)) // EXPECT kvcounter
}

// Retention maps project name to days artifacts are kept.
type Retention map[string]int

// SetRetention changes how long one project's artifacts are kept.
func (l *Ledger) SetRetention(ctx context.Context, org, project string, days int) error {
	r := Retention{}
	val, err := l.client.KV.Namespaces.Values.Get(ctx, l.nsID, retentionPrefix+org, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	switch {
	case err == nil && val != nil:
		if err := json.Unmarshal([]byte(*val), &r); err != nil {
			return err
		}
	case err != nil && !isMissing(err):
		return err
	}
	r[project] = days
	b, _ := json.Marshal(r)
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.nsID, retentionPrefix+org, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(l.accountID),
		Metadata:  cloudflare.F(ledgerMeta),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// Orgs lists the organisations that have a ledger entry.
func (l *Ledger) Orgs(ctx context.Context) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(l.accountID),
		Prefix:    cloudflare.F(quotaPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	var orgs []string
	for range maxListPages {
		page, err := l.client.KV.Namespaces.Keys.List(ctx, l.nsID, params) // EXPECT kvlist
		if err != nil {
			return orgs, err
		}
		for _, k := range page.Result {
			orgs = append(orgs, strings.TrimPrefix(k.Name, quotaPrefix))
		}
		if page.ResultInfo.Cursor == "" {
			return orgs, nil
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(l.accountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return orgs, fmt.Errorf("quotas: more than %d pages of orgs", maxListPages)
}

// PurgeKeys deletes ledger keys of a closed organisation.
func (l *Ledger) PurgeKeys(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += purgeBatch {
		batch := keys[start:min(start+purgeBatch, len(keys))]
		_, err := l.client.KV.Namespaces.Bulk.Delete(ctx, l.nsID, kv.NamespaceBulkDeleteParams{ // DEBATABLE kvlimits
			AccountID: cloudflare.F(l.accountID),
			Body:      batch,
		})
		if err != nil {
			return fmt.Errorf("quotas: purge batch at %d: %w", start, err)
		}
	}
	return nil
}

// SyncHandler is called by the v1 uploader after each sync so operators can
// see when it last ran.
func (l *Ledger) SyncHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Uploader string `json:"uploader"`
			Files    int    `json:"files"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		stamp := fmt.Sprintf("%s %s files=%d", time.Now().UTC().Format(time.RFC3339), body.Uploader, body.Files)
		if err := l.put(r.Context(), "mirror:last-sync", stamp); err != nil { // EXPECT kvhotkey
			l.log.WarnContext(r.Context(), "sync stamp not written", "err", err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
