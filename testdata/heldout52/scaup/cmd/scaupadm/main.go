// Command scaupadm is the operator CLI for Scaup's KV namespaces.
//
//	scaupadm [flags] <command> [args...]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"scaup/internal/admin"
	"scaup/internal/cfkv"
	"scaup/internal/config"
	"scaup/internal/jobs"
	"scaup/internal/reports"
)

// api is a small client for Scaup's internal HTTP services.
type api struct {
	base string
	hc   *http.Client
}

func (a api) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (a api) Status(ctx context.Context, jobID string) (jobs.State, int, error) {
	var out struct {
		State   jobs.State `json:"state"`
		Percent int        `json:"percent"`
	}
	err := a.getJSON(ctx, "/jobs/"+jobID, &out)
	return out.State, out.Percent, err
}

func (a api) AddDownloads(ctx context.Context, network, episodeID, day string, n int) error {
	return a.getJSON(ctx, fmt.Sprintf("/ingest/downloads?network=%s&episode=%s&day=%s&n=%d", network, episodeID, day, n), &struct{}{})
}

func (a api) EpisodeViews(ctx context.Context, network, episodeID string) (int, error) {
	var out struct {
		Views int `json:"views"`
	}
	err := a.getJSON(ctx, "/stats/"+network+"/"+episodeID, &out)
	return out.Views, err
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: scaupadm [flags] <command> [args]

commands:
  import <network> <file.jsonl>      bulk-load a catalogue export
  signout <network> <session-id>...  end a listener's sessions
  revoke-feeds <network> <token>...  block a subscriber's feed tokens
  vanity <name> <show>               claim a vanity feed host
  settings <network>                 ensure default settings exist
  rollup <network> <YYYY-MM-DD>      move a day's downloads to the warehouse
  views <network> <episode>...       publish view counts
  plays <network> <episode> <n>      add partner plays
  jobs <job-id>...                   refresh transcoding job status
  dump <jobs|meta|auth> <prefix>     print one page of keys`)
	flag.PrintDefaults()
}

func main() {
	var (
		account  = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		metaNS   = flag.String("meta-ns", os.Getenv("SCAUP_META_NS"), "metadata namespace ID")
		authNS   = flag.String("auth-ns", os.Getenv("SCAUP_AUTH_NS"), "auth namespace ID")
		jobsNS   = flag.String("jobs-ns", os.Getenv("SCAUP_JOBS_NS"), "jobs namespace ID")
		apiBase  = flag.String("api", "http://localhost:8080", "internal API base URL")
		pageSize = flag.Int("page-size", 0, "list page size (0 = default)")
		maxPages = flag.Int("max-pages", 0, "list page budget (0 = default)")
		timeout  = flag.Duration("timeout", 2*time.Minute, "overall deadline")
	)
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() < 1 {
		usage()
		os.Exit(2)
	}

	cfg := config.Merge(config.DefaultConfig(), config.Config{ListPageSize: *pageSize, MaxListPages: *maxPages})
	token := os.Getenv("CLOUDFLARE_API_TOKEN")
	ops := &admin.Ops{
		Meta:  cfkv.New(token, *account, *metaNS),
		Auth:  cfkv.New(token, *account, *authNS),
		Jobs:  cfkv.New(token, *account, *jobsNS),
		Cfg:   cfg,
		Now:   time.Now,
		Audit: log.Printf,
	}
	svc := api{base: *apiBase, hc: &http.Client{Timeout: 30 * time.Second}}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, ops, svc, cfg, flag.Args()); err != nil {
		log.Fatal(err)
	}
}

func need(args []string, n int) error {
	if len(args) < n {
		return fmt.Errorf("%s: need %d arguments", args[0], n-1)
	}
	return nil
}

func run(ctx context.Context, ops *admin.Ops, svc api, cfg config.Config, args []string) error {
	switch cmd := args[0]; cmd {
	case "import":
		if err := need(args, 3); err != nil {
			return err
		}
		rows, err := readJSONL(args[2])
		if err != nil {
			return err
		}
		return ops.Import(ctx, args[1], rows)
	case "signout":
		if err := need(args, 3); err != nil {
			return err
		}
		return ops.SignOutEverywhere(ctx, args[1], args[2:])
	case "revoke-feeds":
		if err := need(args, 3); err != nil {
			return err
		}
		return ops.RevokeFeedTokens(ctx, args[1], args[2:])
	case "vanity":
		if err := need(args, 3); err != nil {
			return err
		}
		return ops.ClaimVanity(ctx, args[1], args[2])
	case "settings":
		if err := need(args, 2); err != nil {
			return err
		}
		s, err := ops.EnsureSettings(ctx, args[1])
		if err == nil {
			fmt.Printf("%+v\n", s)
		}
		return err
	case "rollup":
		if err := need(args, 3); err != nil {
			return err
		}
		day, err := time.Parse(time.DateOnly, args[2])
		if err != nil {
			return err
		}
		r := &reports.Roller{KV: ops.Meta, WH: svc, Cfg: cfg}
		n, err := r.RollupDay(ctx, args[1], day)
		fmt.Printf("moved %d counters\n", n)
		return err
	case "views":
		if err := need(args, 3); err != nil {
			return err
		}
		r := &reports.Roller{KV: ops.Meta, WH: svc, Cfg: cfg}
		return r.PublishViews(ctx, args[1], args[2:])
	case "plays":
		if err := need(args, 4); err != nil {
			return err
		}
		n, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		r := &reports.Roller{KV: ops.Meta, WH: svc, Cfg: cfg}
		return r.AddPlays(ctx, args[1], args[2], n)
	case "jobs":
		if err := need(args, 2); err != nil {
			return err
		}
		t := &jobs.Tracker{KV: ops.Jobs, Cfg: cfg, Transcoder: svc}
		sum, err := t.Refresh(ctx, args[1:])
		fmt.Printf("%+v\n", sum)
		return err
	case "dump":
		if err := need(args, 3); err != nil {
			return err
		}
		st := map[string]*cfkv.Store{"jobs": ops.Jobs, "meta": ops.Meta, "auth": ops.Auth}[args[1]]
		if st == nil {
			return errors.New("dump: namespace must be jobs, meta or auth")
		}
		return dump(ctx, st, args[2])
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// dump prints one page of keys and the cursor to continue from.
func dump(ctx context.Context, st *cfkv.Store, prefix string) error {
	page, err := st.Client.KV.Namespaces.Keys.List(ctx, st.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(st.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(10000)), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		exp := "-"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Printf("%s\t%s\n", k.Name, exp)
	}
	if c := page.ResultInfo.Cursor; c != "" {
		fmt.Printf("# more: -cursor %s\n", c)
	}
	return nil
}

func readJSONL(path string) ([]admin.ImportEpisode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []admin.ImportEpisode
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r admin.ImportEpisode
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}
