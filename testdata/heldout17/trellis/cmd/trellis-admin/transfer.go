package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/kvstore/cfkv"
)

// importBatch is how many entries each bulk request carries.
const importBatch = 25_000

// importMarker is the key the dashboard checks to tell imported namespaces apart.
const importMarker = "."

func (a *admin) export(ctx context.Context, prefix, path string) error {
	f := os.Stdout
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := a.kv.Export(ctx, prefix, bw)
	fmt.Fprintf(os.Stderr, "exported %d entries\n", n)
	return errors.Join(err, bw.Flush())
}

func readRecords(path string, now time.Time) ([]*cf.WorkersKVPair, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var (
		pairs   []*cf.WorkersKVPair
		skipped int
	)
	for {
		var rec cfkv.Record
		err := dec.Decode(&rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("record %d: %w", len(pairs)+skipped+1, err)
		}
		pair := &cf.WorkersKVPair{Key: rec.Key, Value: rec.Value, Metadata: rec.Metadata}
		if rec.Expiration > 0 {
			if rec.Expiration < now.Add(2*time.Minute).Unix() {
				skipped++
				continue
			}
			pair.Expiration = int(rec.Expiration)
		}
		pairs = append(pairs, pair)
	}
	return pairs, skipped, nil
}

func (a *admin) importFile(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("import: -in is required")
	}
	pairs, skipped, err := readRecords(path, time.Now())
	if err != nil {
		return err
	}
	for start := 0; start < len(pairs); start += importBatch {
		chunk := pairs[start:min(start+importBatch, len(pairs))]
		_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: chunk}) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("import: batch starting at %d: %w", start, err)
		}
		fmt.Fprintf(os.Stderr, "imported %d/%d\n", start+len(chunk), len(pairs))
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	_, err = a.api.WriteWorkersKVEntry(ctx, a.rc, cf.WriteWorkersKVEntryParams{
		NamespaceID: a.ns,
		Key:         importMarker, // EXPECT kvlimits
		Value:       []byte(stamp),
	})
	fmt.Fprintf(os.Stderr, "skipped %d entries that had expired or were about to\n", skipped)
	return err
}
