package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
	"example.com/admin/internal/kvstore"
)

// record is one line of an import or export file.
type record struct {
	Key      string         `json:"key"`
	Value    string         `json:"value"`
	TTL      int            `json:"ttl,omitempty"`
	Expires  int64          `json:"expiration,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
	Base64   bool           `json:"base64,omitempty"`
}

type importRun struct {
	File      string    `json:"file"`
	Namespace string    `json:"namespace"`
	Pairs     int       `json:"pairs"`
	At        time.Time `json:"at"`
	User      string    `json:"user"`
}

const importHistoryKey = "import:history"

func runImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	ns := fs.String("namespace", "", "target namespace ID")
	file := fs.String("file", "-", "JSON lines file, - for stdin")
	defTTL := fs.Duration("ttl", 0, "lifetime of records that carry no ttl or expiration")
	batch := fs.Int("batch", config.BulkChunkSize, "pairs per bulk request (max 10000)")
	dry := fs.Bool("dry-run", false, "parse the file but write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ns == "" {
		return errors.New("import: -namespace is required")
	}
	if *batch < 1 || *batch > 10_000 {
		return fmt.Errorf("import: -batch must be 1..10000, got %d", *batch)
	}

	var in io.Reader = os.Stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}

	ops := kvstore.New(e.v0, e.account, config.NSOps)
	var history []importRun
	if _, err := ops.GetJSON(ctx, importHistoryKey, &history); err != nil {
		return err
	}
	imported := 0
	defer func() {
		if *dry {
			return
		}
		history = append(history, importRun{
			File: *file, Namespace: *ns, Pairs: imported,
			At: time.Now().UTC(), User: os.Getenv("USER"),
		})
		if len(history) > 50 {
			history = history[len(history)-50:]
		}
		if err := ops.PutJSON(ctx, importHistoryKey, history); err != nil { // EXPECT kvrace
			e.log.Warn("import history not saved", "err", err)
		}
	}()

	rc := cfv0.AccountIdentifier(e.account)
	flush := func(pairs []*cfv0.WorkersKVPair) error {
		if len(pairs) == 0 {
			return nil
		}
		if !*dry {
			if _, err := e.v0.WriteWorkersKVEntries(ctx, rc, cfv0.WriteWorkersKVEntriesParams{
				NamespaceID: *ns,
				KVs:         pairs,
			}); err != nil {
				return fmt.Errorf("after %d pairs: %w", imported, err)
			}
		}
		imported += len(pairs)
		e.log.Debug("batch written", "pairs", len(pairs), "total", imported)
		return nil
	}

	dec := json.NewDecoder(bufio.NewReader(in))
	pairs := make([]*cfv0.WorkersKVPair, 0, *batch)
	for line := 1; dec.More(); line++ {
		var rec record
		if err := dec.Decode(&rec); err != nil {
			return fmt.Errorf("record %d: %w", line, err)
		}
		p := &cfv0.WorkersKVPair{Key: rec.Key, Value: rec.Value, Base64: rec.Base64}
		if len(rec.Metadata) > 0 {
			p.Metadata = rec.Metadata
		}
		switch {
		case rec.TTL > 0:
			p.ExpirationTTL = rec.TTL
		case rec.Expires > 0:
			p.Expiration = int(rec.Expires)
		case *defTTL > 0:
			p.ExpirationTTL = int(*defTTL) // EXPECT kvttl
		}
		pairs = append(pairs, p)
		if len(pairs) == *batch {
			if err := flush(pairs); err != nil {
				return err
			}
			pairs = make([]*cfv0.WorkersKVPair, 0, *batch)
		}
	}
	return flush(pairs)
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	ns := fs.String("namespace", "", "namespace ID")
	prefix := fs.String("prefix", "", "only keys starting with this")
	out := fs.String("out", "-", "output file, - for stdout")
	maxKeys := fs.Int("max-keys", 100_000, "stop after this many keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ns == "" {
		return errors.New("export: -namespace is required")
	}

	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)

	params := kv.NamespaceKeyListParams{
		AccountID: cfv6.F(e.account),
		Prefix:    cfv6.F(*prefix),
		Limit:     cfv6.F(float64(config.BulkGetSize)),
	}
	exported := 0
	for pages := 0; pages < config.MaxListPages && exported < *maxKeys; pages++ {
		page, err := e.v6.KV.Namespaces.Keys.List(ctx, *ns, params)
		if err != nil {
			return err
		}
		if len(page.Result) > 0 {
			names := make([]string, 0, len(page.Result))
			for _, k := range page.Result {
				names = append(names, k.Name)
			}
			got, err := e.v6.KV.Namespaces.BulkGet(ctx, *ns, kv.NamespaceBulkGetParams{
				AccountID: cfv6.F(e.account),
				Keys:      cfv6.F(names),
				Type:      cfv6.F(kv.NamespaceBulkGetParamsTypeText),
			})
			if err != nil {
				return err
			}
			values := edge.TextValues(got)
			for _, k := range page.Result {
				v, ok := values[k.Name]
				if !ok {
					continue
				}
				rec := record{Key: k.Name, Value: v, Expires: int64(k.Expiration)}
				if m, ok := k.Metadata.(map[string]any); ok {
					rec.Metadata = m
				}
				if err := enc.Encode(rec); err != nil {
					return err
				}
				exported++
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cfv6.F(page.ResultInfo.Cursor)
	}

	manifest, err := json.Marshal(map[string]any{
		"namespace": *ns, "prefix": *prefix, "keys": exported, "at": time.Now().UTC(),
	})
	if err != nil {
		return err
	}
	_, err = e.v6.KV.Namespaces.Values.Update(ctx, config.NSOps, "export:last", kv.NamespaceValueUpdateParams{
		AccountID:     cfv6.F(e.account),
		Value:         cfv6.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(manifest)),
		ExpirationTTL: cfv6.F(float64(config.ExportManifestTTL)),
	})
	if err != nil {
		return err
	}
	e.log.Info("exported", "keys", exported)
	return nil
}
