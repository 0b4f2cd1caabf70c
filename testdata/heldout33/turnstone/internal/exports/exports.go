// Package exports produces tenant data exports: a snapshot of everything the
// tenant has in the invoices namespace, uploaded to object storage and
// offered through a one-time download link.
package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
	"github.com/ledgerline/turnstone/internal/randid"
)

// retentionNotice is stored with every manifest so that the download page
// can show it from the key listing alone.
const retentionNotice = "This export contains personal data processed by Ledgerline on behalf of the " +
	"merchant named in the manifest. It is provided under Article 20 of Regulation (EU) 2016/679 " +
	"(GDPR) and the data processing addendum between Ledgerline and the merchant. The download " +
	"link can be used once and expires one hour after it was issued; the archive itself is deleted " +
	"from Ledgerline storage thirty days after creation. Invoice amounts are given in minor units " +
	"of the invoice currency. Payment card data is never included: only the card brand, the last " +
	"four digits and the expiry month are exported, as permitted by PCI DSS requirement 3.4. If you " +
	"received this export in error, delete it and notify privacy@ledgerline.example without undue " +
	"delay. Ledgerline keeps an access log of every download, including the IP address, user agent " +
	"and portal user who requested it, for twelve months for security and audit purposes. " +
	"Questions about this export can be sent to the merchant's billing contact or to " +
	"support@ledgerline.example, quoting the export identifier shown in the manifest."

// Uploader stores archive parts in object storage.
type Uploader interface {
	UploadPart(ctx context.Context, jobID string, part int, body []byte) error
	Complete(ctx context.Context, jobID string, parts int) (url string, err error)
}

// Job is the state of one export, polled by the portal.
type Job struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	State     string    `json:"state"` // running, complete, failed
	Keys      int       `json:"keys"`
	PartsDone int       `json:"parts_done"`
	Parts     int       `json:"parts"`
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Manifest describes a finished export.
type Manifest struct {
	JobID     string    `json:"job_id"`
	TenantID  string    `json:"tenant_id"`
	Keys      int       `json:"keys"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// Exporter runs exports.
type Exporter struct {
	client    *cfv6.Client
	accountID string
	srcNS     string
	nsID      string
	store     *kvstore.Store
	src       *kvstore.Store
	up        Uploader
	cfg       *config.Config
	log       *slog.Logger
}

// New returns an exporter reading from the invoices namespace and keeping
// its own state in the exports namespace.
func New(client *cfv6.Client, up Uploader, cfg *config.Config, log *slog.Logger) *Exporter {
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces
	return &Exporter{
		client: client, accountID: acct, srcNS: ns.Invoices, nsID: ns.Exports,
		store: kvstore.NewStore(client, acct, ns.Exports),
		src:   kvstore.NewStore(client, acct, ns.Invoices),
		up:    up, cfg: cfg, log: log.With("component", "exports"),
	}
}

func jobKey(tenantID, id string) string { return "job:" + tenantID + ":" + id }

const jobTTL = 7 * 24 * time.Hour

// Start creates a job and runs it in the background.
func (e *Exporter) Start(ctx context.Context, tenantID string) (Job, error) {
	job := Job{ID: randid.New("exp_", 12), TenantID: tenantID, State: "running", UpdatedAt: time.Now().UTC()}
	if err := e.store.Put(ctx, jobKey(tenantID, job.ID), job, jobTTL); err != nil {
		return Job{}, err
	}
	go e.run(context.WithoutCancel(ctx), job)
	return job, nil
}

func (e *Exporter) run(ctx context.Context, job Job) {
	defer func() {
		key := "history:" + job.TenantID
		var hist []string
		if err := kvstore.GetInto(ctx, e.store, key, &hist); err != nil && !kvstore.IsNotFound(err) {
			e.log.Warn("read export history", "tenant", job.TenantID, "err", err)
			return
		}
		hist = append(hist, job.ID)
		if err := e.store.Put(ctx, key, hist[max(0, len(hist)-20):], 0); err != nil { // EXPECT kvrace
			e.log.Warn("write export history", "tenant", job.TenantID, "err", err)
		}
	}()
	if err := e.export(ctx, &job); err != nil {
		job.State, job.Error, job.UpdatedAt = "failed", err.Error(), time.Now().UTC()
		_ = e.store.Put(ctx, jobKey(job.TenantID, job.ID), job, jobTTL)
	}
}

func (e *Exporter) export(ctx context.Context, job *Job) error {
	prefix := "inv:" + job.TenantID + ":"
	iter := e.client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.srcNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cfv6.F(e.accountID),
		Prefix:    cfv6.F(prefix),
	})
	var keys []string
	for iter.Next() {
		keys = append(keys, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("list tenant keys: %w", err)
	}

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		values = make(map[string]string, len(keys))
		errs   []error
		sem    = make(chan struct{}, max(1, e.cfg.Limits.FanOut))
	)
	for chunk := range slices.Chunk(keys, 100) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got, err := e.src.BulkGet(ctx, chunk)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for k, v := range got {
				values[k] = v
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	slices.Sort(keys)
	parts := slices.Collect(slices.Chunk(keys, 5000))
	job.Keys, job.Parts = len(keys), len(parts)
	for i, part := range parts {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, k := range part {
			if v, ok := values[k]; ok {
				_ = enc.Encode(map[string]string{"key": strings.TrimPrefix(k, prefix), "value": v})
			}
		}
		if err := e.up.UploadPart(ctx, job.ID, i+1, buf.Bytes()); err != nil {
			return err
		}
		job.PartsDone, job.UpdatedAt = i+1, time.Now().UTC()
		if err := e.store.Put(ctx, jobKey(job.TenantID, job.ID), job, jobTTL); err != nil { // EXPECT kvhotkey
			e.log.Debug("report progress", "job", job.ID, "err", err)
		}
	}
	url, err := e.up.Complete(ctx, job.ID, len(parts))
	if err != nil {
		return err
	}
	man := Manifest{JobID: job.ID, TenantID: job.TenantID, Keys: len(keys), URL: url, CreatedAt: time.Now().UTC()}
	manKey := "manifest:" + job.TenantID + ":" + job.ID
	if err := e.store.PutWithMetadata(ctx, manKey, man, 30*24*time.Hour, map[string]string{"job": job.ID, "notice": retentionNotice}); err != nil { // EXPECT kvlimits
		return err
	}
	job.State, job.UpdatedAt = "complete", time.Now().UTC()
	return e.store.Put(ctx, jobKey(job.TenantID, job.ID), job, jobTTL)
}

// IssueDownloadLink returns a one-time token for the archive of a job.
func (e *Exporter) IssueDownloadLink(ctx context.Context, tenantID, jobID string) (string, error) {
	tok := randid.Token("dl_")
	return tok, e.store.Put(ctx, "dl:"+tok, tenantID+":"+jobID, e.cfg.TTL.ExportLink.Duration)
}

// Download resolves a download token to its manifest. Each token works once.
func (e *Exporter) Download(ctx context.Context, tok string) (Manifest, error) {
	var ref string
	if err := kvstore.GetInto(ctx, e.store, "dl:"+tok, &ref); err != nil {
		return Manifest{}, err
	}
	if err := e.store.Delete(ctx, "dl:"+tok); err != nil { // EXPECT kvsession
		return Manifest{}, err
	}
	tenantID, jobID, _ := strings.Cut(ref, ":")
	var man Manifest
	err := kvstore.GetInto(ctx, e.store, "manifest:"+tenantID+":"+jobID, &man)
	return man, err
}

// ExportCount returns how many exports a tenant has made, for the quota
// shown on the portal's export page.
func (e *Exporter) ExportCount(ctx context.Context, tenantID string) (int, error) {
	res, err := e.client.KV.Namespaces.Keys.List(ctx, e.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cfv6.F(e.accountID),
		Prefix:    cfv6.F("manifest:" + tenantID + ":"),
	})
	if err != nil {
		return 0, err
	}
	return len(res.Result), nil
}

// ManifestPage returns one page of a tenant's manifests and the cursor of
// the next page ("" on the last page).
func (e *Exporter) ManifestPage(ctx context.Context, tenantID, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cfv6.F(e.accountID),
		Prefix:    cfv6.F("manifest:" + tenantID + ":"),
		Limit:     cfv6.F(float64(e.cfg.Limits.ListPageSize)),
	}
	if cursor != "" {
		params.Cursor = cfv6.F(cursor)
	}
	res, err := e.client.KV.Namespaces.Keys.List(ctx, e.nsID, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}

// PurgeOrphans deletes manifests written before TTLs were set on them.
func (e *Exporter) PurgeOrphans(ctx context.Context) (int, error) {
	purged, cursor, lastReport := 0, "", time.Now()
	for page := 0; page < e.cfg.Limits.MaxListPages; page++ {
		params := kv.NamespaceKeyListParams{AccountID: cfv6.F(e.accountID), Prefix: cfv6.F("manifest:"), Limit: cfv6.F(1000.0)}
		if cursor != "" {
			params.Cursor = cfv6.F(cursor)
		}
		res, err := e.client.KV.Namespaces.Keys.List(ctx, e.nsID, params) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		if len(res.Result) == 0 {
			break
		}
		var stale []string
		for _, k := range res.Result {
			if k.Expiration == 0 {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := e.client.KV.Namespaces.BulkDelete(ctx, e.nsID, kv.NamespaceBulkDeleteParams{AccountID: cfv6.F(e.accountID), Body: stale}); err != nil {
				return purged, err
			}
			purged += len(stale)
		}
		if time.Since(lastReport) >= 5*time.Second {
			_ = e.store.Put(ctx, "purge:progress", map[string]int{"purged": purged, "page": page}, time.Hour)
			lastReport = time.Now()
		}
		cursor = res.ResultInfo.Cursor
	}
	return purged, nil
}

// TenantJobs returns the IDs of a tenant's job records.
func (e *Exporter) TenantJobs(ctx context.Context, tenantID string) ([]string, error) {
	var ids []string
	params := kv.NamespaceKeyListParams{
		AccountID: cfv6.F(e.accountID),
		Prefix:    cfv6.F("job:" + tenantID + ":"),
		Limit:     cfv6.F(2000.0), // EXPECT kvlimits
	}
	for page := 0; page < e.cfg.Limits.MaxListPages; page++ {
		res, err := e.client.KV.Namespaces.Keys.List(ctx, e.nsID, params) // EXPECT kvlist
		if err != nil {
			return ids, err
		}
		for _, k := range res.Result {
			ids = append(ids, strings.TrimPrefix(k.Name, "job:"+tenantID+":"))
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{AccountID: cfv6.F(e.accountID), Cursor: cfv6.F(res.ResultInfo.Cursor)}
	}
	return ids, nil
}

// Restore writes an export archive back into the invoices namespace.
func (e *Exporter) Restore(ctx context.Context, tenantID string, records []map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(records))
	for _, r := range records {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cfv6.F("inv:" + tenantID + ":" + r["key"]), Value: cfv6.F(r["value"])})
	}
	for chunk := range slices.Chunk(body, 20_000) { // EXPECT kvlimits
		res, err := e.client.KV.Namespaces.BulkUpdate(ctx, e.srcNS, kv.NamespaceBulkUpdateParams{AccountID: cfv6.F(e.accountID), Body: chunk})
		if err != nil {
			return err
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("restore: %d keys not written", n)
		}
	}
	return nil
}
