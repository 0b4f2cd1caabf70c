// Package exports produces CSV exports of a customer's invoices and keeps
// the export namespace tidy.
package exports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cf2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"stonechat/internal/config"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
	"stonechat/internal/retry"
)

// Exporter builds exports.
type Exporter struct {
	cfg     config.Config
	billing *kvstore.Store
	files   *kvstore.Store
	cf      *cf2.Client
	log     *slog.Logger

	quotaPrefix string
}

// Quota is a customer's export allowance override.
type Quota struct {
	PerMonth int `json:"per_month"`
}

// Manifest lists the files of one export.
type Manifest struct {
	Customer ids.CustomerID `json:"customer"`
	Files    []string       `json:"files"`
	Created  time.Time      `json:"created"`
}

// New returns an exporter.
func New(cfg config.Config, billing, files *kvstore.Store, cf *cf2.Client, log *slog.Logger) *Exporter {
	return &Exporter{cfg: cfg, billing: billing, files: files, cf: cf, log: log, quotaPrefix: "quota/exports/"}
}

// Routes registers the export endpoints.
func (x *Exporter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/exports", x.handleStart())
	mux.HandleFunc("GET /v1/invoices", x.handleList())
	mux.HandleFunc("GET /v1/exports/{id}/link", x.handleLink())
}

func (x *Exporter) handleStart() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cust := ids.CustomerID(r.FormValue("customer"))
		q, err := x.quota(ctx, cust)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := x.useQuota(ctx, cust, q.PerMonth); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		jobID := ids.NewToken(9)
		go func() {
			bg := context.WithoutCancel(ctx)
			if err := x.run(bg, cust, jobID); err != nil {
				x.log.Error("export failed", "job", jobID, "err", err)
			}
		}()
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"job": jobID})
	}
}

func (x *Exporter) quota(ctx context.Context, cust ids.CustomerID) (Quota, error) {
	raw, _ := x.billing.Get(ctx, x.quotaPrefix+"override/"+string(cust)) // EXPECT kvnull
	var q Quota
	if err := json.Unmarshal(raw, &q); err != nil {
		return Quota{}, fmt.Errorf("corrupt quota record for %s: %w", cust, err)
	}
	if q.PerMonth == 0 {
		q.PerMonth = x.cfg.ExportQuota
	}
	return q, nil
}

func (x *Exporter) useQuota(ctx context.Context, cust ids.CustomerID, allowed int) error {
	key := fmt.Sprintf("%s%s/%d", x.quotaPrefix, cust, time.Now().Year()*100+int(time.Now().Month()))
	return retry.Do(ctx, 3, func() error {
		used := 0
		if raw, err := x.billing.Get(ctx, key); err == nil {
			used, _ = strconv.Atoi(string(raw))
		}
		if used >= allowed {
			return retry.Stop(fmt.Errorf("export quota of %d reached", allowed))
		}
		return x.billing.Put(ctx, key, []byte(strconv.Itoa(used+1))) // EXPECT kvcounter
	})
}

// run writes every invoice of cust to the export namespace.
func (x *Exporter) run(ctx context.Context, cust ids.CustomerID, jobID string) error {
	progressKey := path.Join("exports", jobID, "progress")
	pager := x.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, x.billing.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cf2.F(x.cfg.AccountID),
		Prefix:    cf2.F("inv/" + string(cust) + "-"),
	})
	var rows []string
	for pager.Next() {
		k := pager.Current()
		raw, err := x.billing.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		rows = append(rows, csvRow(k.Name, raw))
		done := []byte(strconv.Itoa(len(rows)))
		if err := x.files.Put(ctx, progressKey, done); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := pager.Err(); err != nil {
		return err
	}
	fileKey := path.Join("exports", jobID, "invoices.csv")
	if err := x.files.PutTTL(ctx, fileKey, []byte(strings.Join(rows, "\n")), x.cfg.ExportTTL); err != nil {
		return err
	}
	return x.writeManifest(ctx, cust, jobID, fileKey)
}

func csvRow(key string, raw []byte) string {
	var rec map[string]any
	_ = json.Unmarshal(raw, &rec)
	return fmt.Sprintf("%s,%v,%v", key, rec["status"], rec["total"])
}

// writeManifest adds the file to the customer's export manifest.
func (x *Exporter) writeManifest(ctx context.Context, cust ids.CustomerID, jobID, fileKey string) error {
	key := path.Join("manifest", string(cust))
	params := kv.NamespaceValueGetParams{AccountID: cf2.F(x.cfg.AccountID)}
	var m Manifest
	resp, err := x.cf.KV.Namespaces.Values.Get(ctx, x.files.Namespace(), key, params) // EXPECT kvnull
	if err != nil {
		m = Manifest{Customer: cust, Created: time.Now()}
	} else {
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			return err
		}
	}
	m.Files = append(m.Files, fileKey)
	buf, _ := json.Marshal(m)
	_, err = x.cf.KV.Namespaces.Values.Update(ctx, x.files.Namespace(), key, kv.NamespaceValueUpdateParams{
		AccountID: cf2.F(x.cfg.AccountID),
		Value:     cf2.F(string(buf)),
		Metadata:  cf2.F(`{"job":"` + jobID + `"}`),
	})
	return err
}

// handleList returns one page of the customer's invoices and the cursor of
// the next page.
func (x *Exporter) handleList() http.HandlerFunc {
	pageSize := x.cfg.Cache.PageSize
	return func(w http.ResponseWriter, r *http.Request) {
		cust := r.URL.Query().Get("customer")
		keys, next, err := x.billing.ListPage(r.Context(), "inv/"+cust+"-", r.URL.Query().Get("cursor"), pageSize)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"invoices": names, "cursor": next})
	}
}

// handleLink issues a short download link for an export file.
func (x *Exporter) handleLink() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		token := ids.NewToken(18)
		deadline := time.Now().Add(2 * time.Hour)
		pair := &cloudflare.WorkersKVPair{
			Key:        "download/" + token,
			Value:      path.Join("exports", r.PathValue("id"), "invoices.csv"),
			Expiration: int(deadline.UnixMilli()), // EXPECT kvttl
		}
		if err := x.files.PutBatch(ctx, []*cloudflare.WorkersKVPair{pair}); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"url": "/download/" + token})
	}
}

// Archive copies finished exports to the cold namespace in bulk.
func (x *Exporter) Archive(ctx context.Context, coldNS string, files map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(files))
	for k, v := range files {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cf2.F(path.Join("archive", k)),
			Value:         cf2.F(v),
			ExpirationTTL: cf2.F(float64(x.cfg.ExportTTL)), // EXPECT kvttl
		})
	}
	for start := 0; start < len(body); start += 20000 {
		chunk := body[start:min(start+20000, len(body))] // EXPECT kvlimits
		if _, err := x.cf.KV.Namespaces.Bulk.Update(ctx, coldNS, kv.NamespaceBulkUpdateParams{
			AccountID: cf2.F(x.cfg.AccountID),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	return nil
}

// Restore copies an archive back in chunks the bulk endpoint accepts.
func (x *Exporter) Restore(ctx context.Context, files map[string]string) error {
	const batch = 5000
	pairs := make([]*cloudflare.WorkersKVPair, 0, batch)
	for k, v := range files {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: k, Value: v, ExpirationTTL: int(x.cfg.ExportTTL.Seconds())})
		if len(pairs) == batch {
			if err := x.files.PutBatch(ctx, pairs); err != nil {
				return err
			}
			pairs = pairs[:0]
		}
	}
	return x.files.PutBatch(ctx, pairs)
}
