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
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

func init() {
	register("export", "write every key under a prefix as JSON lines", cmdExport)
	register("import", "bulk-write JSON lines produced by export", cmdImport)
	register("set", "write one value", cmdSet)
	register("allow", "add an address to a tenant's allowlist (TENANT IP)", cmdAllow)
	register("retire-v1", "mark every sequential v1 key id as retired", cmdRetireV1)
}

// record is one line of an export file.
type record struct {
	Key        string          `json:"key"`
	Value      string          `json:"value"`
	Expiration int             `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "-", "output file")
	if err := fs.Parse(args); err != nil {
		return err
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
	enc := json.NewEncoder(w)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: fs.Arg(0), Limit: 1000}
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			return nil
		}
		for _, k := range resp.Result {
			val, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			meta, _ := json.Marshal(k.Metadata)
			if err := enc.Encode(record{Key: k.Name, Value: string(val), Expiration: k.Expiration, Metadata: meta}); err != nil {
				return err
			}
		}
		params.Cursor = resp.Cursor
	}
}

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	ttl := fs.Duration("ttl", 0, "expire imported keys after this long (0 keeps the exported expiry)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	const batchSize = 900
	var batch []*cloudflare.WorkersKVPair
	flush := func(n int) error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: batch}); err != nil {
			return err
		}
		_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "gwctl:import:progress", Value: []byte(strconv.Itoa(n))}) // EXPECT kvhotkey
		batch = batch[:0]
		return err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	n := 0
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
		p := &cloudflare.WorkersKVPair{Key: r.Key, Value: r.Value, Expiration: r.Expiration}
		if len(r.Metadata) > 0 && string(r.Metadata) != "null" {
			p.Metadata = r.Metadata
		}
		if *ttl > 0 {
			p.Expiration = 0
			p.ExpirationTTL = int(*ttl) // EXPECT kvttl
		}
		batch = append(batch, p)
		n++
		if len(batch) == batchSize {
			if err := flush(n); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush(n)
}

func cmdSet(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("set", flag.ContinueOnError)
	ttl := fs.Duration("ttl", 0, "expire after this long (at least 1m)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("set [-ttl D] KEY VALUE")
	}
	pair := &cloudflare.WorkersKVPair{Key: fs.Arg(0), Value: fs.Arg(1)}
	if *ttl > 0 {
		pair.ExpirationTTL = int(max(*ttl, time.Minute).Seconds())
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

func cmdAllow(ctx context.Context, e *env, args []string) error {
	if len(args) != 2 {
		return errors.New("allow TENANT IP")
	}
	key := "allowlist:" + args[0]
	var ips []string
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key}) // EXPECT kvnull
	if err != nil {
		// no allowlist yet for this tenant
		ips = nil
	} else if err := json.Unmarshal(raw, &ips); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if slices.Contains(ips, args[1]) {
		return nil
	}
	ips = append(ips, args[1])
	b, _ := json.Marshal(ips)
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: b}) // EXPECT kvrace
	return err
}

// retiredV1Keys is how many sequential ids the v1 key service handed out
// before it was shut down.
const retiredV1Keys = 20000

func cmdRetireV1(ctx context.Context, e *env, _ []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, retiredV1Keys)
	for i := 0; i < retiredV1Keys; i++ {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("apikey-miss:v1-%05d", i),
			Value:         "retired",
			ExpirationTTL: int((90 * 24 * time.Hour).Seconds()),
		})
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}
