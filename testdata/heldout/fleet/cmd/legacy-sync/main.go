// Command legacy-sync mirrors the ERP device inventory export (CSV) into the
// legacy provisioning namespace, where the factory tooling and the old
// enrollment Worker read it. It runs hourly from cron.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// InventoryRecord is one row of the ERP export.
type InventoryRecord struct {
	Serial      string    `json:"serial"`
	Model       string    `json:"model"`
	Batch       string    `json:"batch"`
	Tenant      string    `json:"tenant"`
	ShippedAt   time.Time `json:"shipped_at"`
	WarrantyEnd time.Time `json:"warranty_end"`
}

type syncer struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func readCSV(r io.Reader) ([]InventoryRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 6
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if header[0] != "serial" {
		return nil, fmt.Errorf("unexpected header %v", header)
	}
	var out []InventoryRecord
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		shipped, err := time.Parse("2006-01-02", row[4])
		if err != nil {
			return nil, fmt.Errorf("serial %s: shipped_at: %w", row[0], err)
		}
		warranty, err := time.Parse("2006-01-02", row[5])
		if err != nil {
			return nil, fmt.Errorf("serial %s: warranty_end: %w", row[0], err)
		}
		out = append(out, InventoryRecord{
			Serial: strings.ToUpper(row[0]), Model: row[1], Batch: row[2], Tenant: row[3],
			ShippedAt: shipped, WarrantyEnd: warranty,
		})
	}
}

// inventoryPairs builds one pair per record; a record disappears from KV when
// the device's warranty ends.
func inventoryPairs(recs []InventoryRecord) ([]*cloudflare.WorkersKVPair, error) {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(recs))
	for _, r := range recs {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        "inv:" + r.Serial,
			Value:      string(raw),
			Expiration: int(r.WarrantyEnd.UnixMilli()), // EXPECT kvttl
		})
	}
	return pairs, nil
}

// batchPairs builds the per-batch manifest pairs, refreshed every run.
func batchPairs(recs []InventoryRecord, ttl time.Duration) []*cloudflare.WorkersKVPair {
	byBatch := map[string][]string{}
	for _, r := range recs {
		byBatch[r.Batch] = append(byBatch[r.Batch], r.Serial)
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(byBatch))
	for b, serials := range byBatch {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "batch:" + b,
			Value:         strings.Join(serials, ","),
			ExpirationTTL: int(ttl.Seconds()),
		})
	}
	return pairs
}

func (s *syncer) writeChunked(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	const chunk = 5000
	for start := 0; start < len(pairs); start += chunk {
		end := min(start+chunk, len(pairs))
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			KVs:         pairs[start:end],
		}); err != nil {
			return fmt.Errorf("bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// appendToModelIndex records newly seen serials in the per-model index the
// factory dashboard reads.
func (s *syncer) appendToModelIndex(ctx context.Context, model string, serials []string) error {
	key := "index:model:" + model
	cur, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	var nf cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	list := string(cur)
	for _, sn := range serials {
		if strings.Contains(","+list+",", ","+sn+",") {
			continue
		}
		if list != "" {
			list += ","
		}
		list += sn
	}
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: s.ns,
		Key:         key,
		Value:       []byte(list),
	})
	return err
}

// markAlive tells the ops dashboard the job is running.
func (s *syncer) markAlive(ctx context.Context, phase string) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "sync:alive",
			Value:         phase,
			ExpirationTTL: 30, // EXPECT kvttl
		}},
	})
	return err
}

// recordRun stores the run timestamp and bumps the run tally.
func (s *syncer) recordRun(ctx context.Context, n int) error {
	stamp, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "records": n})
	if _, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns, Key: "sync:last-run", Value: stamp,
	}); err != nil {
		return err
	}
	runs := 0
	if raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "sync:runs"}); err == nil {
		runs, _ = strconv.Atoi(string(raw))
	}
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: s.ns, Key: "sync:runs", Value: []byte(strconv.Itoa(runs + 1)),
	})
	return err
}

// pruneRemoved deletes inventory keys whose serial is no longer exported.
func (s *syncer) pruneRemoved(ctx context.Context, keep map[string]bool) (int, error) {
	removed, cursor := 0, ""
	for {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: s.ns, Prefix: "inv:", Limit: 1000, Cursor: cursor,
		})
		if err != nil {
			return removed, err
		}
		for _, k := range resp.Result {
			if keep[strings.TrimPrefix(k.Name, "inv:")] {
				continue
			}
			if _, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: k.Name}); err != nil {
				return removed, err
			}
			removed++
		}
		if cursor = resp.ResultInfo.Cursor; cursor == "" {
			return removed, nil
		}
	}
}

func main() {
	file := flag.String("file", "inventory.csv", "ERP export to sync")
	dryRun := flag.Bool("dry-run", false, "parse only")
	flag.Parse()

	f, err := os.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	recs, err := readCSV(f)
	if err != nil {
		log.Fatalf("parse %s: %v", *file, err)
	}
	log.Printf("parsed %d records", len(recs))
	if *dryRun {
		return
	}

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	s := &syncer{api: api, rc: cloudflare.AccountIdentifier(os.Getenv("CF_ACCOUNT_ID")), ns: os.Getenv("KV_LEGACY_NS")}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	if err := s.markAlive(ctx, "writing"); err != nil {
		log.Printf("heartbeat: %v", err)
	}
	pairs, err := inventoryPairs(recs)
	if err != nil {
		log.Fatal(err)
	}
	if err := s.writeChunked(ctx, pairs); err != nil {
		log.Fatal(err)
	}
	if err := s.writeChunked(ctx, batchPairs(recs, 36*time.Hour)); err != nil {
		log.Fatal(err)
	}

	byModel := map[string][]string{}
	keep := make(map[string]bool, len(recs))
	for _, r := range recs {
		byModel[r.Model] = append(byModel[r.Model], r.Serial)
		keep[r.Serial] = true
	}
	for model, serials := range byModel {
		if err := s.appendToModelIndex(ctx, model, serials); err != nil {
			log.Printf("index %s: %v", model, err)
		}
	}
	removed, err := s.pruneRemoved(ctx, keep)
	if err != nil {
		log.Printf("prune: %v", err)
	}
	if err := s.recordRun(ctx, len(recs)); err != nil {
		log.Printf("record run: %v", err)
	}
	log.Printf("sync done: %d written, %d removed", len(pairs), removed)
}
