// Command lobbyctl is the operator tool for the lobby's KV namespaces.
//
//	lobbyctl seed <season>
//	lobbyctl rebuild <season>
//	lobbyctl import-bans <tenant> <file.jsonl>
//	lobbyctl purge <prefix> [max-pages]
//	lobbyctl ensure-config <tenant>
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/arcadia-games/shoveler/internal/anticheat"
	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/leaderboard"
	"github.com/arcadia-games/shoveler/internal/restkv"
	"github.com/arcadia-games/shoveler/internal/season"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

type env struct {
	token, account string
	api            *cloudflare.Client
	cfg            config.Config
	rec            *kvbase.Recorder
}

func (e env) ns(name string) *restkv.Client {
	id := os.Getenv(name)
	if id == "" {
		fail(fmt.Errorf("%s is not set", name))
	}
	return restkv.New(e.token, e.account, id, e.rec)
}

type noDB struct{}

func (noDB) CountMatches(context.Context, time.Time) (int, error) {
	return 0, errors.New("lobbyctl: no match database")
}

func (noDB) TopScores(context.Context, string, string, int) ([]leaderboard.Entry, error) {
	return nil, errors.New("lobbyctl: no match database")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "lobbyctl:", err)
	os.Exit(1)
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail(fmt.Errorf("missing argument %d; see lobbyctl -h", i))
	}
	return os.Args[i]
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" {
		fmt.Fprintln(os.Stderr, "usage: lobbyctl <seed|rebuild|import-bans|purge|ensure-config> ...")
		os.Exit(2)
	}
	e := env{
		token:   os.Getenv("CF_API_TOKEN"),
		account: os.Getenv("CF_ACCOUNT_ID"),
		cfg:     config.Merge(config.DefaultConfig(), config.FromEnv()),
		rec:     kvbase.NewRecorder(0),
	}
	e.api = cloudflare.NewClient(option.WithAPIToken(e.token))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	var err error
	switch os.Args[1] {
	case "seed":
		boards := leaderboard.NewBoardStore(e.ns("KV_LEADERBOARD_NS"), e.cfg, noDB{})
		err = boards.SeedSeason(ctx, e.api, e.account, os.Getenv("KV_LEADERBOARD_NS"), arg(2))
	case "rebuild":
		boards := leaderboard.NewBoardStore(e.ns("KV_LEADERBOARD_NS"), e.cfg, noDB{})
		var n int
		n, err = boards.Rebuild(ctx, arg(2), func(x leaderboard.Entry) leaderboard.Entry {
			x.Score = x.Score * 9 / 10
			return x
		})
		fmt.Println("rebuilt", n, "boards")
	case "import-bans":
		err = importBans(tenant.With(ctx, arg(2)), e, arg(3))
	case "purge":
		maxPages := 50
		if len(os.Args) > 3 {
			maxPages, _ = strconv.Atoi(os.Args[3])
		}
		var n int
		n, err = purge(ctx, e.ns("KV_TARGET_NS"), arg(2), maxPages)
		fmt.Println("deleted", n, "keys")
	case "ensure-config":
		p := &season.Publisher{C: e.ns("KV_CONFIG_NS"), API: e.api, Account: e.account, Tenant: arg(2)}
		err = errors.Join(p.EnsurePlaylists(ctx), p.EnsureMOTD(ctx))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

// importBans loads bans from a JSON-lines file, e.g. a partner studio's list.
func importBans(ctx context.Context, e env, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bansKV := e.ns("KV_BANS_NS")
	flags := e.ns("KV_CONFIG_NS")
	bans := anticheat.NewBanStore(bansKV, e.api, e.account, e.cfg)
	sc := bufio.NewScanner(f)
	var errs []error
	line := 0
	for sc.Scan() {
		line++
		var b anticheat.Ban
		if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		b.By = "import"
		if err := bans.Put(ctx, b); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
		}
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	errs = append(errs, sc.Err(), flags.Put(ctx, "bans:version", stamp, 0))
	return errors.Join(errs...)
}

// purge deletes every key under prefix, at most maxPages pages per run.
func purge(ctx context.Context, c *restkv.Client, prefix string, maxPages int) (int, error) {
	if strings.TrimSpace(prefix) == "" {
		return 0, errors.New("refusing to purge the whole namespace")
	}
	deleted := 0
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := c.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return deleted, err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if err := c.BulkDelete(ctx, names); err != nil {
			return deleted, err
		}
		deleted += len(names)
		if next == "" {
			break
		}
		cursor = next
	}
	return deleted, nil
}
