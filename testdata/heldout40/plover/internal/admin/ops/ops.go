// Package ops holds the admin tool's commands. Each command is looked up by
// name in a table and runs against the namespace chosen on the command line.
package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"plover/internal/admin/gc"
	"plover/internal/admin/kvrest"
	"plover/internal/domain"
	"plover/internal/keys"
)

// Config is read from the environment once.
type Config struct {
	Token     string
	Account   string
	Namespace string
	Out       io.Writer
}

var (
	clientOnce sync.Once
	client     kvrest.Client
	cfg        Config
)

// Configure sets the configuration used by Client. It is called from main
// before any command runs.
func Configure(c Config) { cfg = c }

// Client returns the process-wide KV client.
func Client() kvrest.Client {
	clientOnce.Do(func() {
		client = kvrest.New(cfg.Token, cfg.Account, cfg.Namespace)
	})
	return client
}

// Commands maps a command name to its implementation.
var Commands = map[string]func(ctx context.Context, args []string) error{
	"gc":             runGC,
	"revoke-tokens":  revokeTokens,
	"import-keys":    importKeys,
	"prewarm-shards": prewarmShards,
	"set-retention":  setRetention,
	"annotate":       annotate,
	"banner":         banner,
	"peek":           peek,
	"list":           list,
	"count":          count,
	"dump":           dump,
}

const (
	retentionKey    = "config:retention"
	retentionDocKey = "config:retention:doc"
	bannerKey       = "config:banner"
	progressKey     = "ops:progress"
	shardCount      = 1 << 14
)

func runGC(ctx context.Context, args []string) error {
	every := time.Hour
	if len(args) > 0 {
		d, err := time.ParseDuration(args[0])
		if err != nil {
			return err
		}
		every = d
	}
	policy := domain.RetentionPolicy{MaxAgeDays: 30, KeepLatest: 10}
	if raw, err := Client().Get(ctx, retentionKey); err == nil {
		if err := json.Unmarshal(raw, &policy); err != nil {
			return fmt.Errorf("gc: retention policy: %w", err)
		}
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	rep, err := gc.New(Client(), policy, time.Now().Add(every)).Run(ctx)
	if err != nil {
		return err
	}
	return json.NewEncoder(cfg.Out).Encode(rep)
}

// revokeTokens revokes the runner tokens listed one per line in a file,
// for example after a runner image with baked-in tokens leaked.
func revokeTokens(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: revoke-tokens FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	tx := Client().Begin()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id := strings.TrimSpace(sc.Text())
		if id == "" || strings.HasPrefix(id, "#") {
			continue
		}
		tx.Delete(keys.TokenKey{ID: id}.String()) // EXPECT kvsession
	}
	if err := sc.Err(); err != nil {
		return err
	}
	failed, err := tx.Commit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "revoked, %d failed\n", len(failed))
	return nil
}

// importKeys loads API keys exported from the old build server, one JSON
// object per line: {"hash": "...", "project": "...", "name": "..."}.
func importKeys(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: import-keys FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	tx := Client().Begin()
	dec := json.NewDecoder(f)
	for {
		var rec struct {
			Hash string `json:"hash"`
			domain.ProjectKey
		}
		if err := dec.Decode(&rec); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		raw, err := json.Marshal(rec.ProjectKey)
		if err != nil {
			return err
		}
		tx.Put(keys.APIKeyKey{Hash: rec.Hash}.String(), raw, 0)
	}
	failed, err := tx.Commit(ctx)
	if len(failed) > 0 {
		fmt.Fprintf(cfg.Out, "%d keys failed: %s\n", len(failed), strings.Join(failed, ", "))
	}
	return err
}

// prewarmShards writes the empty badge shard table the Worker reads at
// start-up, reporting progress while the bulk request runs.
func prewarmShards(ctx context.Context, _ []string) error {
	api, account, ns := Client().API()
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, shardCount)
	for i := range shardCount {
		bodies = append(bodies, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("badge:shard:" + strconv.Itoa(i)),
			Value: cloudflare.F("{}"),
		})
	}

	done := make(chan error, 1)
	go func() {
		_, err := api.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(account),
			Body:      bodies,
		})
		done <- err
	}()

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	started := time.Now()
	for {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case t := <-tick.C:
			msg := "prewarm running for " + t.Sub(started).Round(time.Second).String()
			if err := Client().Put(ctx, progressKey, []byte(msg), time.Hour); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
}

// setRetention changes one field of the retention policy:
// set-retention max_age_days 45.
func setRetention(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: set-retention FIELD VALUE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	policy := domain.RetentionPolicy{MaxAgeDays: 30, KeepLatest: 10}
	raw, err := Client().Get(ctx, retentionKey) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &policy); err != nil {
			return err
		}
	}
	switch args[0] {
	case "max_age_days":
		policy.MaxAgeDays = n
	case "keep_latest":
		policy.KeepLatest = n
	default:
		if policy.PerKind == nil {
			policy.PerKind = map[string]int{}
		}
		policy.PerKind[args[0]] = n
	}
	out, err := json.Marshal(policy)
	if err != nil {
		return err
	}
	return Client().Put(ctx, retentionKey, out, 0) // EXPECT kvrace
}

// annotate stores the documented retention defaults next to the policy so
// that the dashboard can list them with the key listing alone.
func annotate(ctx context.Context, _ []string) error {
	doc := []byte("retention defaults: see metadata")
	return Client().PutWithMeta(ctx, retentionDocKey, doc, map[string]string{ // EXPECT kvlimits
		"artifact.binary":      "Compiled binaries are kept for max_age_days after the build finished.",
		"artifact.container":   "Container image tarballs are kept for 7 days; pushed images live in the registry.",
		"artifact.coverage":    "Coverage reports are kept for the latest keep_latest builds of every branch.",
		"artifact.test-report": "JUnit and TAP reports are kept as long as the build they belong to.",
		"artifact.logs":        "Full logs move to R2 after a day; the KV tail expires with the build.",
		"cache.entry":          "Cache entries expire after the project's retention, default 14 days.",
		"cache.manifest":       "Branch manifests keep the newest 200 hashes and expire after 90 days.",
		"cache.staging":        "Staged uploads expire after two hours whether or not they were promoted.",
		"badge.svg":            "Badges never expire; a branch's badge is removed when the branch is deleted.",
		"runner.token":         "Runner tokens expire after 30 days without re-registration.",
		"runner.code":          "Registration codes expire after 15 minutes and can be used once.",
		"gc.schedule":          "The collector runs hourly and keeps a report of its last run.",
		"gc.lock":              "A run holds a lock for at most 30 minutes; a crashed run is resumed from its checkpoint.",
	})
}

// banner prints the maintenance banner shown in the dashboard, or sets it
// when a new text is given.
func banner(ctx context.Context, args []string) error {
	api, account, ns := Client().API()
	if len(args) > 0 {
		meta := map[string]string{"set_by": os.Getenv("USER"), "at": time.Now().UTC().Format(time.RFC3339)}
		return Client().PutWithMeta(ctx, bannerKey, []byte(strings.Join(args, " ")), meta)
	}
	res, err := api.KV.Namespaces.Values.Get(ctx, ns, bannerKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		fmt.Fprintf(cfg.Out, "%s\n", raw)
	} else {
		fmt.Fprintln(cfg.Out, "(no banner)")
	}
	return nil
}

// peek prints the first few keys under a prefix.
func peek(ctx context.Context, args []string) error {
	api, account, ns := Client().API()
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	page, err := api.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintln(cfg.Out, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintln(cfg.Out, "...")
	}
	return nil
}

// list prints up to --pages pages of keys under a prefix.
func list(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("usage: list PREFIX [PAGES]")
	}
	pages := 10
	if len(args) > 1 {
		n, err := strconv.Atoi(args[1])
		if err != nil {
			return err
		}
		pages = n
	}
	api, account, ns := Client().API()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(args[0]),
	}
	for i := 0; i < pages; i++ {
		page, err := api.KV.Namespaces.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			fmt.Fprintln(cfg.Out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(account),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		}
	}
	return nil
}

// count counts the keys under a prefix, stopping after a budget of keys.
func count(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: count PREFIX")
	}
	const budget = 200_000
	n, cursor := 0, ""
	for n < budget {
		names, next, err := Client().Page(ctx, args[0], cursor)
		if err != nil {
			return err
		}
		n += len(names)
		if next == "" {
			fmt.Fprintln(cfg.Out, n)
			return nil
		}
		cursor = next
	}
	fmt.Fprintf(cfg.Out, "more than %d\n", n)
	return nil
}

// dump prints one page of keys with their values, and the cursor to pass
// to continue.
func dump(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("usage: dump PREFIX [CURSOR]")
	}
	cursor := ""
	if len(args) > 1 {
		cursor = args[1]
	}
	names, next, err := Client().Page(ctx, args[0], cursor)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(cfg.Out)
	defer w.Flush()
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
	if next != "" {
		fmt.Fprintf(w, "next: %s\n", next)
	}
	return nil
}
