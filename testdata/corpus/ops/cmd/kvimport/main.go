// Command kvimport loads key/value records from a JSON Lines file into a
// Workers KV namespace using the bulk API.
//
//	kvimport -namespace <id> -file export.jsonl [-ttl 72h] [-dry-run]
//
// Each line is {"key": "...", "value": "...", "expires_at": "RFC 3339", "metadata": {...}}.
// Records without expires_at get -ttl, if set.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/cfclient"
)

type record struct {
	Key       string         `json:"key"`
	Value     string         `json:"value"`
	Base64    bool           `json:"base64,omitempty"`
	ExpiresAt *time.Time     `json:"expires_at,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
}

const batchSize = 5000

func main() {
	var (
		namespace = flag.String("namespace", "", "destination namespace ID")
		file      = flag.String("file", "", "JSON Lines input")
		ttl       = flag.Duration("ttl", 0, "expiry for records without expires_at (0: never)")
		dryRun    = flag.Bool("dry-run", false, "parse and validate only")
	)
	flag.Parse()
	if *namespace == "" || *file == "" {
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	api, rc, err := cfclient.Legacy()
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	var (
		batch   []*cloudflare.WorkersKVPair
		written int
		lineNo  int
	)
	flush := func() error {
		if len(batch) == 0 || *dryRun {
			written += len(batch)
			batch = batch[:0]
			return nil
		}
		resp, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: *namespace,
			KVs:         batch,
		})
		if err != nil {
			return fmt.Errorf("bulk write ending at line %d: %w", lineNo, err)
		}
		if !resp.Success {
			return fmt.Errorf("bulk write ending at line %d: %v", lineNo, resp.Errors)
		}
		written += len(batch)
		batch = batch[:0]
		return nil
	}

	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	now := time.Now()
	for sc.Scan() {
		lineNo++
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			log.Fatalf("line %d: %v", lineNo, err)
		}
		if rec.Key == "" {
			log.Fatalf("line %d: empty key", lineNo)
		}
		if rec.ExpiresAt != nil && rec.ExpiresAt.Before(now.Add(5*time.Minute)) {
			continue // already expired (or about to), nothing to import
		}

		p := &cloudflare.WorkersKVPair{Key: rec.Key, Value: rec.Value, Base64: rec.Base64}
		if rec.Metadata != nil {
			p.Metadata = rec.Metadata
		}
		switch {
		case rec.ExpiresAt != nil:
			p.Expiration = int(rec.ExpiresAt.Unix())
		case *ttl > 0:
			p.ExpirationTTL = int(*ttl) // EXPECT kvttl
		}
		batch = append(batch, p)

		if len(batch) == batchSize {
			if err := flush(); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	if err := flush(); err != nil {
		log.Fatal(err)
	}
	log.Printf("imported %d keys into %s", written, *namespace)
}
