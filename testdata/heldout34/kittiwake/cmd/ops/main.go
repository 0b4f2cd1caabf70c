// Command ops is kittiwake's operations tool. It runs from the backend's
// scheduler and from operators' shells, and reaches the game namespace
// through the Cloudflare API.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kittiwake/internal/config"
	"kittiwake/internal/jobs"
	"kittiwake/internal/keys"
	"kittiwake/internal/leaderboard"
	"kittiwake/internal/moderation"
	"kittiwake/internal/quests"
	"kittiwake/internal/restkv"
)

const bannerTTLSeconds = 30

var (
	season = flag.String("season", "", "season id (default: the running season)")
	file   = flag.String("f", "", "input file (JSON)")
	player = flag.String("player", "", "player id")
	region = flag.String("region", "eu", "region")
	text   = flag.String("text", "", "announcement text")
	reason = flag.String("reason", "", "ban reason")
	days   = flag.Int("days", 7, "ban length in days")
	count  = flag.Int("n", 0, "count")
	off    = flag.Bool("off", false, "switch the flag off")
	name   = flag.String("flag", "", "profile flag")
)

func main() {
	log.SetFlags(0)
	flag.Parse()
	cfg := config.Load(os.Getenv)
	if *season == "" {
		*season = cfg.Season.ID
	}
	if err := restkv.Init(cfg.REST); err != nil {
		log.Fatal(err)
	}
	wireStats(os.Getenv("STATS_API_URL"), os.Getenv("STATS_API_TOKEN"))

	commands := []struct {
		name string
		job  jobs.Job
	}{
		{"rollover", func(ctx context.Context) error { return rollover(ctx, cfg) }},
		{"catalog", func(ctx context.Context) error {
			var pool []quests.Quest
			if err := readJSON(*file, &pool); err != nil {
				return err
			}
			return quests.PublishCatalog(ctx, *season, pool)
		}},
		{"rebuild", rebuild},
		{"reset-slots", func(ctx context.Context) error { return leaderboard.ResetSlots(ctx, *season) }},
		{"purge", func(ctx context.Context) error {
			if *season == cfg.Season.ID {
				return &jobs.Permanent{Err: errors.New("refusing to purge the running season")}
			}
			n, err := leaderboard.PurgeSeason(ctx, *season)
			log.Printf("purged %d keys", n)
			return err
		}},
		{"export", func(ctx context.Context) error { return leaderboard.Export(ctx, *season, os.Stdout) }},
		{"preview", func(ctx context.Context) error { return show(leaderboard.Preview(ctx, *season)) }},
		{"region-top", func(ctx context.Context) error { return show(leaderboard.RegionTop(ctx, *season, *region)) }},
		{"summary", func(ctx context.Context) error { return show(moderation.Summary(ctx, *player)) }},
		{"ban", func(ctx context.Context) error {
			var sids []string
			if err := readJSON(*file, &sids); err != nil {
				return err
			}
			b := moderation.Ban{Player: *player, Reason: *reason, By: os.Getenv("USER"), Until: time.Now().AddDate(0, 0, *days)}
			return moderation.Apply(ctx, b, sids)
		}},
		{"flag", func(ctx context.Context) error {
			return moderation.SetFlag(ctx, restkv.LoaderFunc(restkv.Get), *player, *name, !*off)
		}},
		{"ingest", func(ctx context.Context) error {
			var ms []moderation.Match
			if err := readJSON(*file, &ms); err != nil {
				return err
			}
			return moderation.IngestMatches(ctx, ms)
		}},
		{"completions", func(ctx context.Context) error {
			return quests.RecordCompletions(ctx, keys.Day(time.Now()), *count)
		}},
		{"announce", announce},
	}
	for _, c := range commands {
		if c.name != flag.Arg(0) {
			continue
		}
		run := jobs.Named(c.name, jobs.WithRetry(cfg.REST.Retries+1, 2*time.Second, jobs.WithTimeout(5*time.Minute, c.job)))
		if err := run(context.Background()); err != nil {
			log.Fatal(err)
		}
		return
	}
	log.Fatalf("unknown command %q", flag.Arg(0))
}

func rollover(ctx context.Context, cfg config.Config) error {
	var boards struct {
		Today    map[string][]quests.Quest `json:"today"`
		Tomorrow map[string][]quests.Quest `json:"tomorrow"`
	}
	if err := readJSON(*file, &boards); err != nil {
		return err
	}
	if err := quests.EnsureSeason(ctx, quests.Season{ID: *season}); err != nil {
		return err
	}
	m, err := quests.LoadSeason(ctx, *season)
	if err != nil {
		return err
	}
	if s, ok := m.Get(); ok && !s.EndsAt.IsZero() && time.Now().After(s.EndsAt) {
		return &jobs.Permanent{Err: fmt.Errorf("season %s ended at %s", s.ID, s.EndsAt)}
	}
	return quests.Rollover(ctx, cfg, boards.Today, boards.Tomorrow)
}

func rebuild(ctx context.Context) error {
	dirty, err := leaderboard.Dirty(ctx)
	if err != nil || !dirty {
		return err
	}
	scores, err := leaderboard.LoadScores(ctx, *season)
	if err != nil {
		return err
	}
	return leaderboard.Publish(ctx, *season, leaderboard.Rank(scores))
}

// announce publishes the long-lived banner, the ticker line, and a flash
// line that clients show once.
func announce(ctx context.Context) error {
	if err := restkv.Put(ctx, keys.Key("banner", "current"), []byte(*text), 6*time.Hour); err != nil {
		return err
	}
	if err := restkv.Put(ctx, keys.Key("banner", "ticker"), []byte(*text), 45*time.Second); err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(restkv.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(*text)),
	}
	params.ExpirationTTL = cloudflare.F(float64(bannerTTLSeconds)) // EXPECT kvttl
	_, err := restkv.Client.KV.Namespaces.Values.Update(ctx, restkv.NamespaceID, keys.Key("banner", "flash"), params)
	return err
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return &jobs.Permanent{Err: err}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &jobs.Permanent{Err: fmt.Errorf("%s: %w", path, err)}
	}
	return nil
}

func show[T any](v T, err error) error {
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(v)
}

// wireStats points the packages that need the stats database at its HTTP API.
func wireStats(base, token string) {
	call := func(ctx context.Context, method, path string, in, out any) error {
		raw, _ := json.Marshal(in)
		req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("stats %s %s: %s", method, path, res.Status)
		}
		return json.NewDecoder(res.Body).Decode(out)
	}
	leaderboard.Query = func(ctx context.Context, sql string, args ...any) (rows []leaderboard.Entry, err error) {
		err = call(ctx, http.MethodPost, "/query", map[string]any{"sql": sql, "args": args}, &rows)
		return
	}
	moderation.Reports = func(ctx context.Context, player string) (s moderation.ReportSummary, err error) {
		err = call(ctx, http.MethodGet, "/reports/"+player, nil, &s)
		return
	}
}
