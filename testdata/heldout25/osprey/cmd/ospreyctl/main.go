// Command ospreyctl is the operator CLI.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"example.com/osprey/internal/admin"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage/cfv6"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: ospreyctl <command> [args]
commands:
  revoke-token <project> <id>
  tokens <project>
  projects [cursor]
  peek <prefix>
  rename <project> <name>
  import-flags <file>
  maintenance <text>
  dump <prefix>
  invites <project>`)
	os.Exit(2)
}

func main() {
	timeout := flag.Duration("timeout", 30*time.Second, "overall timeout")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		usage()
	}
	cfg := config.FromEnv()
	client := cfv6.NewClient(cfg.Cloudflare.APIToken, *timeout)
	c := &admin.Console{
		Client:    client,
		AccountID: cfg.Cloudflare.AccountID,
		Namespace: cfg.Cloudflare.NamespaceID,
		Raw:       cfv6.New(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID),
		Out:       os.Stdout,
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, c, args); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func need(args []string, n int) {
	if len(args) < n+1 {
		usage()
	}
}

func run(ctx context.Context, c *admin.Console, args []string) error {
	switch args[0] {
	case "revoke-token":
		need(args, 2)
		return c.RevokeToken(ctx, args[1], args[2])
	case "tokens":
		need(args, 1)
		return c.ListTokens(ctx, args[1])
	case "projects":
		cursor := ""
		if len(args) > 1 {
			cursor = args[1]
		}
		next, err := c.ListProjects(ctx, cursor)
		if next != "" {
			fmt.Println("next:", next)
		}
		return err
	case "peek":
		need(args, 1)
		return c.Peek(ctx, args[1])
	case "rename":
		need(args, 2)
		return c.RenameProject(ctx, args[1], args[2])
	case "import-flags":
		need(args, 1)
		b, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		var fs domain.FlagSet
		if err := json.Unmarshal(b, &fs); err != nil {
			return err
		}
		return c.ImportFlagsSafe(ctx, fs)
	case "maintenance":
		need(args, 1)
		return c.Maintenance(ctx, args[1])
	case "dump":
		need(args, 1)
		return c.DumpKeys(ctx, args[1], 50)
	case "invites":
		need(args, 1)
		return c.ExportInviteIndex(ctx, args[1], time.Minute)
	default:
		usage()
	}
	return nil
}
