// Package export writes the nightly device export and keeps the archive
// namespace tidy.
package export

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"bittern/internal/config"
)

// Run describes one export run.
type Run struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Devices  int       `json:"devices"`
	Error    string    `json:"error,omitempty"`
}

type row struct {
	Key  string
	Body []byte
}

// Exporter reads the device namespace with the v2 client and writes the
// archive with the v0 client, which the archive tooling already used.
type Exporter struct {
	cf        *cloudflare.Client
	api       *cfv0.API
	account   string
	devicesNS string
	archiveNS string
	cfg       config.Export
}

// New returns an exporter.
func New(cf *cloudflare.Client, api *cfv0.API, account, devicesNS, archiveNS string, cfg config.Export) *Exporter {
	return &Exporter{cf: cf, api: api, account: account, devicesNS: devicesNS, archiveNS: archiveNS, cfg: cfg}
}

// summaryMeta describes the CSV layout so that downstream jobs can check
// the schema without downloading the file.
const summaryMeta = `{"schema":"fleet-export/v3","format":"csv","delimiter":",","columns":[` +
	`{"name":"key","type":"string","doc":"KV key of the device record, device/<tenant>/<serial>"},` +
	`{"name":"tenant","type":"string","doc":"tenant identifier as used in namespace routing and billing"},` +
	`{"name":"serial","type":"string","doc":"manufacturer serial number, upper case, no separators"},` +
	`{"name":"model","type":"string","doc":"hardware model code from the enrollment code that claimed the device"},` +
	`{"name":"firmware","type":"string","doc":"last firmware version the device reported at check-in"},` +
	`{"name":"firmware_at","type":"timestamp","doc":"RFC 3339 time of the last firmware report, UTC"},` +
	`{"name":"enrolled_at","type":"timestamp","doc":"RFC 3339 time at which the enrollment code was redeemed, UTC"},` +
	`{"name":"raw","type":"json","doc":"the complete device record as stored, for fields added after schema v3"}],` +
	`"owner":"fleet-platform","contact":"#fleet-platform-oncall","retention":"see archive policy FP-112",` +
	`"notes":"rows are written in key order; an empty firmware column means the device never checked in after enrollment"}`

// Run exports every device record and records the outcome.
func (e *Exporter) Run(ctx context.Context, out io.Writer) (err error) {
	run := Run{Started: time.Now().UTC()}
	defer func() {
		run.Finished = time.Now().UTC()
		if err != nil {
			run.Error = err.Error()
		}
		err = errors.Join(err, e.recordRun(context.WithoutCancel(ctx), run))
	}()

	rows, err := e.devices(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	run.Devices = len(rows)
	if err := writeCSV(out, rows); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	day := run.Started.Format("2006-01-02")
	if err := e.archive(ctx, day, rows); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return e.summarize(ctx, day, len(rows))
}

func (e *Exporter) devices(ctx context.Context) ([]row, error) {
	iter := e.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, e.devicesNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F(e.cfg.Prefix),
	})
	var rows []row
	for iter.Next() {
		k := iter.Current()
		res, err := e.cf.KV.Namespaces.Values.Get(ctx, e.devicesNS, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.account)}) // EXPECT kvlist
		if err != nil {
			return rows, fmt.Errorf("read %s: %w", k.Name, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return rows, fmt.Errorf("read %s: %w", k.Name, err)
		}
		rows = append(rows, row{Key: k.Name, Body: body})
	}
	return rows, iter.Err()
}

func writeCSV(out io.Writer, rows []row) error {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"key", "tenant", "serial", "model", "firmware", "firmware_at", "enrolled_at", "raw"})
	for _, r := range rows {
		var d struct {
			Tenant, Serial, Model, Firmware string
			FirmwareAt                      time.Time `json:"firmware_at"`
			EnrolledAt                      time.Time `json:"enrolled_at"`
		}
		if err := json.Unmarshal(r.Body, &d); err != nil {
			return fmt.Errorf("%s: %w", r.Key, err)
		}
		_ = w.Write([]string{r.Key, d.Tenant, d.Serial, d.Model, d.Firmware,
			d.FirmwareAt.Format(time.RFC3339), d.EnrolledAt.Format(time.RFC3339), string(r.Body)})
	}
	w.Flush()
	return w.Error()
}

func (e *Exporter) archive(ctx context.Context, day string, rows []row) error {
	const batch = 20_000
	rc := cfv0.AccountIdentifier(e.account)
	pairs := make([]*cfv0.WorkersKVPair, 0, len(rows))
	for _, r := range rows {
		pairs = append(pairs, &cfv0.WorkersKVPair{
			Key:           path.Join("archive", day, r.Key),
			Value:         base64.StdEncoding.EncodeToString(r.Body),
			Base64:        true,
			ExpirationTTL: int(e.cfg.Retention), // EXPECT kvttl
		})
	}
	for start := 0; start < len(pairs); start += batch {
		end := min(start+batch, len(pairs))
		if _, err := e.api.WriteWorkersKVEntries(ctx, rc, cfv0.WriteWorkersKVEntriesParams{NamespaceID: e.archiveNS, KVs: pairs[start:end]}); err != nil { // EXPECT kvlimits
			return fmt.Errorf("archive %s [%d:%d]: %w", day, start, end, err)
		}
	}
	return nil
}

func (e *Exporter) summarize(ctx context.Context, day string, devices int) error {
	values := e.cf.KV.Namespaces.Values
	acct := cloudflare.F(e.account)
	_, err := values.Update(ctx, e.archiveNS, "export/"+day+"/summary", kv.NamespaceValueUpdateParams{
		AccountID: acct,
		Value:     cloudflare.F(fmt.Sprintf("export of %s: %d devices", day, devices)),
		Metadata:  cloudflare.F(summaryMeta), // EXPECT kvlimits
	})
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	_, err = values.Update(ctx, e.archiveNS, "export/"+day+"/device-count", kv.NamespaceValueUpdateParams{ // DEBATABLE kvcounter
		AccountID: acct,
		Value:     cloudflare.F(strconv.Itoa(devices)),
		Metadata:  cloudflare.F(`{}`),
	})
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	_, err = values.Update(ctx, e.archiveNS, "export/latest", kv.NamespaceValueUpdateParams{
		AccountID: acct,
		Value:     cloudflare.F(day),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"devices":%d}`, devices)),
	})
	return err
}

func (e *Exporter) recordRun(ctx context.Context, r Run) error {
	const key = "export/history"
	values := e.cf.KV.Namespaces.Values
	var hist []Run
	res, err := values.Get(ctx, e.archiveNS, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.account)})
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		derr := json.NewDecoder(res.Body).Decode(&hist)
		res.Body.Close()
		if derr != nil {
			return fmt.Errorf("history: %w", derr)
		}
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	default:
		return fmt.Errorf("history: %w", err)
	}
	hist = append(hist, r)
	if len(hist) > 30 {
		hist = hist[len(hist)-30:]
	}
	b, _ := json.Marshal(hist)
	_, err = values.Update(ctx, e.archiveNS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(e.account),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(`{}`),
	})
	return err
}

// Prune deletes archived days older than the retention period. It works
// within the page budget and deadline so a backlog is cleared over several
// nights, remembering where it stopped.
func (e *Exporter) Prune(ctx context.Context) error {
	rc := cfv0.AccountIdentifier(e.account)
	cutoff := time.Now().Add(-e.cfg.Retention).UTC().Format("2006-01-02")
	deadline := time.Now().Add(e.cfg.Deadline)
	params := cfv0.ListWorkersKVsParams{
		NamespaceID: e.archiveNS,
		Prefix:      "archive/",
		Limit:       5000, // EXPECT kvlimits
	}
	if c, err := e.api.GetWorkersKV(ctx, rc, cfv0.GetWorkersKVParams{NamespaceID: e.archiveNS, Key: "export/prune-cursor"}); err == nil { // DEBATABLE kvnull
		params.Cursor = string(c)
	}
	for page := 0; page < e.cfg.MaxPages && time.Now().Before(deadline); page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, rc, params)
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		var old []string
		for _, k := range resp.Result {
			day, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "archive/"), "/")
			if day < cutoff {
				old = append(old, k.Name)
			}
		}
		if len(old) > 0 {
			if _, err := e.api.DeleteWorkersKVEntries(ctx, rc, cfv0.DeleteWorkersKVEntriesParams{NamespaceID: e.archiveNS, Keys: old}); err != nil {
				return fmt.Errorf("prune: %w", err)
			}
		}
		next := resp.ResultInfo.Cursor
		if _, err := e.api.WriteWorkersKVEntry(ctx, rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: e.archiveNS, Key: "export/prune-cursor", Value: []byte(next)}); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("prune: %w", err)
		}
		if next == "" {
			return nil
		}
		params.Cursor = next
	}
	return nil
}
