// Command quizadmin is the back-office tool for merlin: exports after an
// event, join code provisioning and support tasks.
//
//	quizadmin export   -quiz Q -host H
//	quizadmin codes    -quiz Q
//	quizadmin import   -file codes.csv -ttl 48h
//	quizadmin vanity   -slug acme -host H
//	quizadmin signout  -host H
//	quizadmin peek     -prefix tally:
//	quizadmin config   -file config.json | -show
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"merlin/internal/admin"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: quizadmin <command> [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "quizadmin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	quiz := fs.String("quiz", "", "quiz ID")
	hostID := fs.String("host", "", "host ID")
	file := fs.String("file", "", "input file")
	ttl := fs.Duration("ttl", 48*time.Hour, "lifetime of imported codes")
	slug := fs.String("slug", "", "vanity subdomain")
	prefix := fs.String("prefix", "", "key prefix")
	show := fs.Bool("show", false, "print the stored configuration")
	if err := fs.Parse(args); err != nil {
		return err
	}

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	live := admin.NewKV(token, account, os.Getenv("MERLIN_QUIZ_NS"))
	codes := live.WithNamespace(os.Getenv("MERLIN_CODES_NS"))
	archive := live.WithNamespace(os.Getenv("MERLIN_ARCHIVE_NS"))
	cfg := live.WithNamespace(os.Getenv("MERLIN_CONFIG_NS"))
	hosts := admin.NewHosts(live, cfg)

	switch cmd {
	case "export":
		rows, err := admin.NewExporter(live, archive).Export(ctx, admin.Quiz{ID: *quiz, HostID: *hostID})
		fmt.Printf("exported %d rows\n", rows)
		return err
	case "codes":
		list, err := admin.NewCodes(codes).Pregenerate(ctx, *quiz)
		if err != nil {
			return err
		}
		for _, c := range list {
			fmt.Println(c)
		}
		return nil
	case "import":
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := admin.NewCodes(codes).Import(ctx, f, *ttl)
		fmt.Printf("imported %d codes\n", n)
		return err
	case "vanity":
		return admin.NewCodes(codes).ClaimVanity(ctx, *slug, *hostID)
	case "signout":
		return hosts.SignOutEverywhere(ctx, *hostID)
	case "peek":
		return hosts.Peek(ctx, os.Stdout, *prefix)
	case "config":
		if *show {
			return hosts.ShowLimits(ctx, os.Stdout)
		}
		raw, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		return hosts.PushConfig(ctx, raw)
	}
	return fmt.Errorf("unknown command %q", cmd)
}
