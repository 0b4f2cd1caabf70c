// Command gameadmin is the operator CLI for the game backend's KV data.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/dunlin/internal/admin"
	"example.com/dunlin/internal/config"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	ks := keys.NewSpace(cfg.KeyPrefix)
	t := &admin.Tool{
		C:         client,
		R:         kv6.New(client, cfg.AccountID, cfg.MainNamespace, cfg.ColdNamespace, ks.SeasonArchive("")),
		Account:   cfg.AccountID,
		Namespace: cfg.MainNamespace,
		Sessions:  cfg.SessionNamespace,
		Keys:      ks,
		Out:       os.Stdout,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	args := append(os.Args[1:], "", "", "")
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	commands := []struct {
		name, help string
		run        func() error
	}{
		{"players", "[limit]  list players", func() error {
			if args[1] == "" {
				return t.ListPlayers(ctx)
			}
			return t.ExportPlayers(ctx, num(args[1]))
		}},
		{"season-init", "  publish the preseason document if none exists", func() error { return t.InitSeason(ctx) }},
		{"multiplier", "NAME VALUE  set a season multiplier", func() error {
			v, err := strconv.ParseFloat(args[2], 64)
			if err != nil {
				return err
			}
			return t.SetMultiplier(ctx, args[1], v)
		}},
		{"rules", "VERSION  publish the season rules", func() error { return t.PublishRules(ctx, args[1]) }},
		{"grant", "PLAYER AMOUNT  add premium currency", func() error { return t.Grant(ctx, args[1], num(args[2])) }},
		{"revoke", "SESSION_ID  sign a session out", func() error { return t.RevokeSession(ctx, args[1]) }},
		{"deny", "TOKEN_ID  deny-list a refresh token", func() error { return t.DenyToken(ctx, args[1]) }},
		{"import", "FILE  bulk import JSON lines", func() error {
			rows, err := readRows(args[1])
			if err != nil {
				return err
			}
			return t.Import(ctx, rows)
		}},
		{"seed-load-test", "  create load-test players", func() error { return t.SeedLoadTest(ctx) }},
		{"inspect", "KEY...  print values", func() error { return t.Inspect(ctx, os.Args[2:]) }},
	}
	for _, c := range commands {
		if c.name == args[0] {
			if err := c.run(); err != nil {
				fmt.Fprintln(os.Stderr, "gameadmin:", err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, "usage: gameadmin <command> [args]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %s %s\n", c.name, c.help)
	}
	os.Exit(2)
}

func readRows(path string) ([]admin.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []admin.Row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	for sc.Scan() {
		var r admin.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("line %d: %w", len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}
